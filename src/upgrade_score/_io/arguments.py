"""Arguments of the public functions, taken in every documented form and refused with an
:class:`UpgradeScoreError` otherwise (never a ``TypeError`` or ``AttributeError`` from deep inside).

One convention for every entry point: a rubric is a :class:`Rubric`, a built-in id or a path
(:func:`load_rubric`); one base is a :class:`BaseProfile`, the path of a profile file, a mapping
of indicator id to value, a whole profile document as a mapping, or a pandas Series (index =
indicator ids, name = base id); many bases are profiles, paths, or what ``score_many`` takes.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

from .._errors import UpgradeScoreError, type_name
from .._model.profile import BaseProfile
from .._model.rubric import Rubric
from .profiles import load_profile, read_bases
from .validate import validate
from .yaml import Document

if TYPE_CHECKING:
    from pandas import Series

PathLike = Union[str, "os.PathLike[str]"]
ProfileLike = Union[BaseProfile, str, Path, Mapping[str, Any], "Series[Any]"]
DEFAULT_BASE_ID = "base"  # the id of a base given as bare values (a mapping or an unnamed Series)


def check_path(value: object, argument: str) -> Path:
    """``value`` as a :class:`Path`, or an error naming the argument and the type given."""
    if isinstance(value, (str, os.PathLike)) and not isinstance(value, bytes):
        return Path(value)
    raise UpgradeScoreError(f"{argument}: expected a file path (str or pathlib.Path), got "
                            f"{type_name(value)}")


def is_series(value: object) -> bool:
    """A pandas Series, recognised without importing pandas."""
    kind = type(value)
    return kind.__module__.startswith("pandas") and kind.__name__ == "Series"


def as_profile(profile: ProfileLike, argument: str = "profile") -> BaseProfile:
    """One base in any documented form (see the module docstring)."""
    if isinstance(profile, BaseProfile):
        return profile
    if isinstance(profile, (str, os.PathLike)) and not isinstance(profile, bytes):
        return load_profile(Path(profile))
    if is_series(profile):
        name = getattr(profile, "name", None)
        values = dict(profile.items())  # type: ignore[union-attr]
        return _from_values(values, name if isinstance(name, str) else DEFAULT_BASE_ID, argument)
    if isinstance(profile, Mapping):
        if "values" in profile and "base" in profile:  # a whole profile document
            return validate(BaseProfile, Document(dict(profile), argument))
        return _from_values(dict(profile), DEFAULT_BASE_ID, argument)
    raise UpgradeScoreError(
        f"{argument}: expected a BaseProfile, a profile file path, a mapping of indicator id to "
        f"value or a pandas Series, got {type_name(profile)}")


def _from_values(values: dict[Any, Any], base_id: str, argument: str) -> BaseProfile:
    data = {"base": {"id": base_id}, "values": {key: _plain(value) for key, value in values.items()}}
    return validate(BaseProfile, Document(data, argument))


def _plain(value: Any) -> Any:
    """numpy and pandas scalars as Python values; NaN, ``pandas.NA`` and ``None`` as missing."""
    if value is None or type(value).__name__ in ("NAType", "NaTType"):
        return None
    item = getattr(value, "item", None)  # numpy scalars (np.float64, np.bool_, np.int64)
    if callable(item) and type(value).__module__ == "numpy":
        value = item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def as_profiles(data: object, argument: str = "profiles",
                rubric: Rubric | None = None) -> Sequence[BaseProfile]:
    """Many bases: profiles (or any one-base form) in a list or tuple, or paths of files,
    tables and directories (read with :func:`load_profiles`; one plain CSV table or many-bases
    survey template as a :class:`~upgrade_score._io.csvtable.ProfileTable`, no profile object per
    row). A survey template is read with ``rubric`` when given (one written from another rubric
    or version is refused)."""
    if isinstance(data, (str, os.PathLike)) and not isinstance(data, bytes):
        return read_bases([Path(data)], rubric)
    if isinstance(data, BaseProfile):
        return (data,)
    if isinstance(data, Sequence) and not isinstance(data, (str, bytes)):
        if data and all(isinstance(item, (str, os.PathLike)) for item in data):
            return read_bases([Path(item) for item in data], rubric)
        return tuple(as_profile(item, f"{argument}[{k}]") for k, item in enumerate(data))
    raise UpgradeScoreError(f"{argument}: expected profiles, paths or a directory, got {type_name(data)}")
