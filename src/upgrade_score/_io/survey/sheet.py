"""Survey templates: the shared vocabulary (columns, titles, words, number forms) of writing and reading."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

from ..._errors import Problem, UpgradeScoreError, one_line
from ..._model.derived import EnterpriseField, Input
from ..._model.label import Label, text_in
from ..._model.rubric import Category, Indicator, Rubric
from ..._optional import MissingExtraError, require_openpyxl
from ..._text import Lang

Layout = Literal["one-base", "many-bases"]
RowKind = Literal["marker", "title", "header", "hint", "base", "indicator", "computed", "data"]
TemplateLang = Literal["zh", "en", "both"]

MARKER = "upgrade-score template"
LISTS_SHEET = "_lists"
TEMPLATE_SUFFIXES = (".csv", ".xlsx")
MAX_CELLS = 2_000_000
HEADER_SEARCH_ROWS = 30
XLSX_EXTRA = "install upgrade-score[xlsx] (openpyxl) to read and write .xlsx files"

# One-base columns: key -> (Chinese title, English title). The reader needs id and value (and
# reads source and confidence); the others only inform whoever fills the sheet in.
COLUMNS: dict[str, tuple[str, str]] = {
    "id": ("编号", "id"),
    "name_zh": ("中文名称", "name (Chinese)"),
    "name_en": ("英文名称", "name (English)"),
    "value": ("填报值", "value"),
    "unit": ("单位", "unit"),
    "source": ("数据来源", "source"),
    "confidence": ("可信度（0–1）", "confidence (0–1)"),
    "better": ("优劣方向", "better"),
    "valid_range": ("有效范围", "valid range"),
    "allowed": ("可填写的值", "allowed values"),
    "description": ("指标说明", "description"),
}
KEYS = tuple(COLUMNS)
VALUE, SOURCE, CONFIDENCE = KEYS.index("value"), KEYS.index("source"), KEYS.index("confidence")

# Base fields: one-base rows ``base.<key>``; many-bases columns ``<key>``.
BASE_FIELDS: dict[str, tuple[str, str]] = {
    "id": ("基地编号：英文字母开头，可含字母、数字和 - _ .",
           "Base id: a letter, then letters, digits, - _ ."),
    "name_zh": ("基地中文名称", "Base name in Chinese"),
    "name_en": ("基地英文名称", "Base name in English"),
    "year": ("数据年份（如 2024）", "Year of the data (e.g. 2024)"),
    "region": ("所在地区", "Region"),
    "category": ("基地类型（如 废钢铁、电子废物、综合）", "Category (e.g. scrap metal, e-waste, mixed)"),
}

TEXT: dict[str, tuple[str, str]] = {
    "one-base": (
        "请在“填报值”列填写（可同时填写数据来源和可信度）；百分数直接填数字（35 表示 35%）；"
        "无数据请留空；请勿修改第一行和编号列。",
        "Fill in the value column (and the source and confidence where known); give percentages "
        "as numbers (35 for 35 %); leave a cell blank if there is no figure; do not edit this "
        "first row or the id column."),
    "many-bases": (
        "每个基地一行：编号（英文字母开头）、名称、年份，再在各指标列填写数值；百分数直接填数字"
        "（35 表示 35%）；无数据请留空；请勿修改前两行和以 # 开头的行。",
        "One row per base: id (starting with a letter), names and year, then a value in each "
        "indicator column; give percentages as numbers (35 for 35 %); leave a cell blank if "
        "there is no figure; do not edit the first two rows or the rows starting with #."),
    "higher": ("越高越好", "higher is better"),
    "lower": ("越低越好", "lower is better"),
    "qualitative": ("等级越高越好", "a higher level is better"),
    "boolean": ("“是”为好", "yes is better"),
    "number": ("数字", "a number"),
    "percent": ("数字，百分数填 35 表示 35%", "a number: 35 for 35 %"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "or": ("或", "or"),
    "level": ("等级", "level"),
    "base_sheet": ("基本信息", "Base"),
    "bases_sheet": ("基地数据", "Bases"),
    "indicators_sheet": ("指标说明", "Indicators"),
    "enterprises_sheet": ("企业", "Enterprises"),
    "direction": ("方向", "direction"),
    "names_zh": ("中文名称", "name (Chinese)"),
    "names_en": ("英文名称", "name (English)"),
    "units": ("单位", "unit"),
    "allowed": ("可填写的值", "allowed values"),
    "better": ("优劣方向", "better"),
    "pick": ("从列表中选择等级，或填写等级数字", "Pick a level from the list or type its number"),
    # rubric language 2: base categories and n/a answers
    "na": ("不适用", "n/a"),
    "na_note": ("不适用时填写“不适用”", "n/a where it does not apply"),
    "applies": ("仅适用于 {items} 类基地，其他基地留空",
                "applies only to {items} bases; others leave it blank"),
    "category_field": ("基地类型（填写类型编号，见“可填写的值”）",
                       "Category (a category id, see 'allowed values')"),
    "category_pick": ("请从列表中选择基地类型编号", "Pick a category id from the list"),
    "in_all": ("……共 {n} 类", "… {n} in all"),
    # rubric language 2: inputs, formulas and enterprises (design points 12-13)
    "computed": ("由公式计算，无需填写：= {formula}", "computed by its formula, not filled in: = {formula}"),
    "rolled_up": ("由企业表汇总（{how}），无需填写",
                  "rolled up from the enterprise table ({how}), not filled in"),
    "rollup_sum": ("各企业“{field}”之和", "sum of '{field}' over the enterprises"),
    "rollup_count": ("企业数", "number of enterprises"),
    "rollup_count_where": ("“{field}”为“是”的企业数", "number of enterprises with '{field}' = yes"),
    "rollup_mean": ("各企业“{field}”的平均值", "mean of '{field}' over the enterprises"),
    "rollup_mean_weighted": ("各企业“{field}”以“{weight}”加权的平均值",
                             "mean of '{field}' weighted by '{weight}' over the enterprises"),
    "inputs_sheet": ("填报数据", "Reported figures"),
    "inputs_note": ("计算指标所用的基础数据：请在“填报值”列填写；标明“无需填写”的由公式或企业表得出。",
                    "The figures the indicators are computed from: fill in the value column; those "
                    "marked 'not filled in' come from a formula or the enterprise table."),
    "computed_list": ("计算得出，无需填写", "computed, not filled in"),
    "enterprise_id": ("企业编号", "enterprise id"),
    "enterprise_name": ("企业名称", "enterprise name"),
    "base_of": ("所属基地编号", "base id"),
}

TRUE_WORDS = frozenset({"true", "yes", "y", "是", "有", "对", "√", "✓", "✔"})
FALSE_WORDS = frozenset({"false", "no", "n", "否", "无", "没有", "不是", "×", "✗", "✘"})
MISSING_WORDS = frozenset({"-", "--", "---", "—", "——", "–", "/", "n/a", "na", "n.a.", "none", "null",
                           "nan", "nil", "?", "无数据", "暂无", "暂无数据", "不详", "未知", "不适用",
                           "缺失", "空"})
NA_CELL_WORDS = frozenset({"n/a", "不适用", "不适用 / n/a", "n/a / 不适用"})  # folded; only with allow_na
NONE_WORDS = frozenset({"无", "没有"})  # "none": 0 or missing? Say so rather than guess
NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?")
THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")
SPACED = re.compile(r"[+-]?\d+(?: \d+)+(?:\.\d+)?")
LEADING_NUMBER = re.compile(r"[+-]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)")
LEVEL_WORD = re.compile(r"(?:level|l|等级)?\s*(\d{1,3})\s*级?")  # (a level is a small number)
BASE_ID = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")
YEAR = re.compile(r"(\d{1,4})\s*年?")


# A cell a spreadsheet may run as a formula (OWASP, CSV injection: =, +, -, @, tab, CR), also
# behind quotes already written, so that quoting is undone exactly.
FORMULA_START = re.compile(r"'*[=+\-@\t\r]")


FORMULA_FIRST = frozenset("'=+-@\t\r")  # what a text FORMULA_START matches begins with


def _inert(text: str) -> str:
    """``text`` as a CSV cell a spreadsheet shows as text: a single quote before what starts
    like a formula (OWASP's advice), unless it is a plain number such as -5 or -0.5%."""
    if text[:1] not in FORMULA_FIRST:  # (most cells: no pattern to match)
        return text
    if FORMULA_START.match(text) and not (text.isascii() and NUMBER.fullmatch(text.removesuffix("%"))):
        return "'" + text
    return text


def _uninert(text: str) -> str:
    """A CSV cell as it was before :func:`_inert` (the one quote taken off again)."""
    return text[1:] if text.startswith("'") and FORMULA_START.match(text, 1) else text


def _fold(text: str) -> str:
    """Text compared the way a reader compares it: full-width folded (NFKC), case and spacing."""
    text = unicodedata.normalize("NFKC", text).replace("\u2212", "-")
    return " ".join(text.split()).casefold()


def _both(zh: str | None, en: str | None) -> str:
    if zh and en and zh != en:
        return f"{zh} / {en}"
    return zh or en or ""


def _say(key: str, lang: TemplateLang) -> str:
    zh, en = TEXT[key]
    return zh if lang == "zh" else en if lang == "en" else _both(zh, en)


def _label(label: str | Label | None, lang: TemplateLang) -> str:
    """A label or bilingual text in the template's language(s); a plain string as it is."""
    if label is None or isinstance(label, str):
        return label or ""
    return label.text(lang) if lang != "both" else _both(label.zh, label.en)


def _title(key: str, lang: TemplateLang) -> str:
    zh, en = COLUMNS[key]
    return zh if lang == "zh" else en if lang == "en" else _both(zh, en)


def _number_text(value: float) -> str:
    """The shortest text that reads back as exactly ``value`` (whole numbers without '.0')."""
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def _shown(value: float) -> str:
    return f"{value:.15g}"


def _is_percent(indicator: Indicator) -> bool:
    return indicator.kind == "quantitative" and _fold(text_in(indicator.unit) or "") == "%"


def _fraction_suspect(indicator: Indicator, value: float) -> bool:
    """A value in (0, 1] of a % indicator whose thresholds are all above 1: 0.35 for 35 %?"""
    thresholds = indicator.thresholds or ()
    return (0 < value <= 1 and bool(thresholds) and min(thresholds) > 1  # (cheap checks first)
            and _is_percent(indicator))


def _level_name(rubric: Rubric, level: int, lang: TemplateLang) -> str:
    if lang == "both":
        return _both(rubric.level_name(level, "zh"), rubric.level_name(level, "en"))
    return rubric.level_name(level, lang)


def level_items(rubric: Rubric, indicator: Indicator, lang: TemplateLang) -> list[str]:
    """The drop-down entries of a qualitative indicator: ``3 集成级: <descriptor>`` for 0..L (and
    the n/a word when the indicator allows n/a)."""
    items = []
    for level in range(rubric.level_count + 1):
        descriptor = (indicator.descriptors or {}).get(level)
        text = f"{level} {_level_name(rubric, level, lang)}"
        items.append(f"{text}: {one_line(_label(descriptor, lang))}" if descriptor else text)
    if indicator.allow_na:
        items.append(_say("na", lang))
    return items


# --- rubric language 2: categories and n/a ------------------------------------------------------

MAX_LISTED = 50  # categories named in one cell; the XLSX drop-down lists them all


def _category_item(category: Category, lang: TemplateLang) -> str:
    """``ferrous（黑色金属）`` (zh, both) or ``ferrous (Ferrous)`` (en): the id to write, and its name."""
    name = _label(category.name, lang)
    if name == category.id:
        return category.id
    return f"{category.id} ({name})" if lang == "en" else f"{category.id}（{name}）"


def category_items(rubric: Rubric, lang: TemplateLang, ids: tuple[str, ...] | None = None) -> list[str]:
    """The categories (all, or those in ``ids``) as ``id（name）`` items, at most MAX_LISTED."""
    wanted = None if ids is None else frozenset(ids)
    categories = [c for c in rubric.categories or () if wanted is None or c.id in wanted]
    items = [_category_item(c, lang) for c in categories[:MAX_LISTED]]
    if len(categories) > MAX_LISTED:
        items.append(_say_each("in_all", lang, lambda _: {"n": str(len(categories))}))
    return items


def _say_each(key: str, lang: TemplateLang, fill: Callable[[Lang], dict[str, str]]) -> str:
    """A catalogue text with its blanks filled in each language."""
    zh, en = TEXT[key]
    texts = {"zh": zh.format(**fill("zh")), "en": en.format(**fill("en"))}
    return texts[lang] if lang != "both" else _both(texts["zh"], texts["en"])


def _notes(rubric: Rubric, indicator: Indicator, lang: TemplateLang) -> list[str]:
    """What the allowed-values text adds for rubric language 2: where the indicator applies, n/a."""
    notes = []
    if indicator.applies_to is not None:
        applies_to = indicator.applies_to

        def listed(language: Lang) -> dict[str, str]:
            joiner = "、" if language == "zh" else ", "
            return {"items": joiner.join(category_items(rubric, language, applies_to))}

        notes.append(_say_each("applies", lang, listed))
    if indicator.allow_na and indicator.kind != "qualitative":  # (qualitative: an entry of the list)
        notes.append(_say("na_note", lang))
    return notes


def base_fields(rubric: Rubric) -> dict[str, tuple[str, str]]:
    """The base fields and their hints; with categories, the category hint points at the ids."""
    if not rubric.categories:
        return BASE_FIELDS
    return {**BASE_FIELDS, "category": TEXT["category_field"]}


def _with_notes(text: str, notes: list[str], lang: TemplateLang) -> str:
    return ("；" if lang == "zh" else "; ").join([text, *notes]) if notes else text


def _boolean_word(folded: str) -> bool | None:
    """是/否, yes/no, Y/N, true/false... (``是 / yes`` too); None if not such a word."""
    found = set()
    for part in folded.split("/"):
        word = part.strip()
        if word in TRUE_WORDS:
            found.add(True)
        elif word in FALSE_WORDS:
            found.add(False)
        else:
            return None
    return found.pop() if len(found) == 1 else None


def _openpyxl(file: str) -> ModuleType:
    try:
        return require_openpyxl()
    except MissingExtraError as exc:
        raise MissingExtraError(Problem(XLSX_EXTRA, file)) from exc


Checked = Indicator | Input | EnterpriseField | str  # what a validated cell holds


@dataclass
class _Row:
    cells: list[Any]
    kind: RowKind


@dataclass
class _Table:
    """One sheet of the template (the CSV holds the first table, or all of them in one-base)."""

    name: str
    rows: list[_Row]
    widths: tuple[float, ...]
    freeze: str
    input_columns: tuple[int, ...] = ()
    input_rows: tuple[int, int] | None = None  # many-bases: first and last data row to format
    checks: list[tuple[Checked, str]] = field(default_factory=list)  # (what, cell range)


def _allowed(rubric: Rubric, indicator: Indicator, lang: TemplateLang, separator: str) -> str:
    if indicator.kind == "qualitative":
        text = separator.join(level_items(rubric, indicator, lang))
    elif indicator.kind == "boolean":
        text = f"{_say('yes', lang)} {_say('or', lang)} {_say('no', lang)}"
    else:
        text = _say("percent" if _is_percent(indicator) else "number", lang)
    return _with_notes(text, _notes(rubric, indicator, lang), lang)


def _valid_range(rubric: Rubric, indicator: Indicator) -> str:
    if indicator.kind == "qualitative":
        return f"0–{rubric.level_count}"
    if indicator.valid_range is None:
        return ""
    low, high = indicator.valid_range
    return f"{_shown(low)}–{_shown(high)}"


def _write_bytes(target: Path, data: bytes) -> None:
    try:
        target.write_bytes(data)
    except OSError as exc:
        raise UpgradeScoreError(Problem(f"cannot write file: {exc.strerror}", str(target))) from None
