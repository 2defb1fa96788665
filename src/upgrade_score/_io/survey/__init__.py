"""Survey templates: a fill-in sheet written from a rubric, and filled sheets read back.

:func:`write_template` writes CSV or XLSX (the ``xlsx`` extra, openpyxl) in two layouts:

* ``one-base``: one row per indicator (in XLSX one sheet per direction, after a sheet for the
  base's id, name and year), with id, Chinese and English names, the value to fill in, unit,
  source and confidence, what "better" means, the valid range, the allowed values (the level
  descriptors of qualitative indicators; a drop-down list in XLSX) and the indicator's definition;
* ``many-bases``: one row a base, one column an indicator, under a row of ids and a few
  ``#`` rows of names, units and allowed values.

The first row of every template marks it (``upgrade-score template``, rubric id, version,
layout), so :func:`read_survey` (through ``load_profiles``) knows how to read it back. Reading
checks every cell against the rubric and reports all problems of a file at once, each at its
sheet and cell (``survey.xlsx:绿色化发展!D7: green_factory_share: 135 is outside 0–100 %``).
A many-bases template is read into a :class:`~.table.SurveyTable` (the value matrix, no profile
per row; a CSV file in chunks) unless it has something to report, when it is read row by row.
Unambiguous slips are accepted (full-width digits, thousands separators, ``35%`` for a % indicator,
a level's name or drop-down text for its number, 是/否 or yes/no for booleans); ambiguous ones are
reported with the fix (a fraction such as 0.35 for a % indicator whose thresholds are all above 1,
a decimal comma, text after a number, "n/a" instead of a blank cell).

Rubric language 2 (design.md points 8-10): with a rubric that declares categories, the
``base.category`` row (many-bases: column) lists the category ids with their names (a drop-down of
the ids in XLSX) and is read as an id (or a category's name); the allowed values of an indicator
offer n/a (不适用) only where it sets ``allow_na`` and name the categories of ``applies_to``. Reading
accepts ``n/a``, ``N/A`` and ``不适用`` only where allowed, and reports a value for an indicator that
does not apply to the base's category at its cell. Texts come from the template language's side of
bilingual labels. A template is read only with the rubric (id) it was written from.
"""


from .cells import CellProblem
from .read import read_survey
from .sheet import MARKER, TEMPLATE_SUFFIXES
from .write import write_template

__all__ = ["MARKER", "TEMPLATE_SUFFIXES", "CellProblem", "read_survey", "write_template"]
