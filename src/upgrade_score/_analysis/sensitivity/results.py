"""The result models of a sensitivity analysis."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ..._errors import UpgradeScoreError
from ..._model.display import HtmlDisplay, _dispatch
from ..._model.results import Result, RubricRef, without_unset
from .weights import Perturb

if TYPE_CHECKING:
    from pandas import DataFrame

    from ..._text import Lang

# --- results ----------------------------------------------------------------------------------

class Interval(Result):
    """Median and 5–95 % interval of a sampled score."""

    median: float
    low: float
    high: float


class RankInterval(Result):
    """Median and 5–95 % interval of a sampled rank (whole ranks; 1 = best)."""

    median: int
    low: int
    high: int


class BaseSensitivity(Result):
    """One base under weight perturbation, next to its point result (nominal weights).

    ``level_probability[k]`` is the probability of overall level k (0..L); ``top_probability``
    the probability of a rank within the report's ``top_k`` (bases tied at the edge all count).
    Levels are capped by the gates the base does not pass (``uncapped_level``: its level before
    the caps, given for rubrics with categories, n/a or gates); ``not_applicable`` lists the
    directions that do not apply to the base (left out of its overall score), if any.
    """

    base: str
    score: float
    level: int
    rank: int
    score_interval: Interval
    rank_interval: RankInterval
    level_probability: tuple[float, ...]
    top_probability: float
    uncapped_level: int | None = None
    not_applicable: tuple[str, ...] | None = None


class MethodBase(Result):
    """One base's score and rank under every method variant (``aggregation/missing``)."""

    base: str
    scores: dict[str, float]
    ranks: dict[str, int]
    rank_range: int
    fragile: bool


class MethodPair(Result):
    """Two method variants' rankings: Kendall's tau-b, bases that moved, the largest move."""

    a: str
    b: str
    kendall_tau: float | None
    changed: int
    max_change: int


class MethodSensitivity(Result):
    """Ranks under each aggregation and missing-data policy, and the bases they disagree on."""

    nominal: str
    variants: tuple[str, ...]
    bases: tuple[MethodBase, ...]
    pairs: tuple[MethodPair, ...]
    fragile_range: int
    fragile: tuple[str, ...]

    def tau(self, a: str, b: str) -> float | None:
        """Kendall's tau-b between two variants."""
        if a == b and a in self.variants:
            return 1.0
        for pair in self.pairs:
            if {pair.a, pair.b} == {a, b}:
                return pair.kendall_tau
        raise UpgradeScoreError(f"no method variants '{a}' and '{b}' (known: {', '.join(self.variants)})")


class Influence(Result):
    """A direction's or indicator's effective share of the overall score vs its nominal share."""

    component: str
    kind: Literal["direction", "indicator"]
    direction: str
    nominal_share: float
    correlation: float | None
    effective_share: float


class ValueContribution(Result):
    """How much one uncertain value moves its base's overall score on its own."""

    indicator: str
    model: Literal["confidence", "interval"]
    sd: float
    variance_share: float


class ValueUncertainty(Result):
    """A base's overall score when its uncertain values are sampled, and what drives the spread."""

    base: str
    score: float
    interval: Interval
    sd: float
    contributions: tuple[ValueContribution, ...]


class SensitivityReport(HtmlDisplay, Result):
    """Robustness of a group's scores and ranks (see :func:`sensitivity`); bases best first."""

    rubric: RubricRef
    weights: str
    perturb: Perturb
    samples: int
    seed: int
    top_k: int
    bases: tuple[BaseSensitivity, ...]
    methods: MethodSensitivity | None = None
    influence: tuple[Influence, ...] | None = None
    value_samples: int = 0
    values: tuple[ValueUncertainty, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain data; the rubric-language-2 keys of a base appear only when they say something
        (so that reports of rubrics without categories, n/a or gates keep their bytes)."""
        data: dict[str, Any] = without_unset(super().to_dict())
        return data

    def _repr_summary(self) -> str:
        return (f"{len(self.bases)} bases, {self.samples} samples, seed {self.seed}, rubric "
                f"{self.rubric.id} {self.rubric.version}")

    def to_dataframe(self) -> DataFrame:
        """One row per base, best first: nominal score, level and rank, and the sampled
        intervals (needs pandas)."""
        frame: DataFrame = self._frame()
        return frame

    def to_excel(self, path: str | Path, lang: Lang | None = None) -> Path:
        """Write the report as an Excel workbook: sheets bases (and influence, value
        uncertainty when sampled), headers in ``lang`` (needs the ``[xlsx]`` extra)."""
        return Path(_dispatch(self, "excel", path=path, lang=lang))

    def base(self, base_id: str) -> BaseSensitivity:
        """The result of one base, by id."""
        for row in self.bases:
            if row.base == base_id:
                return row
        raise UpgradeScoreError(f"no base '{base_id}' in this report")
