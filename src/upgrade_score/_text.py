"""The words of every display, in every language, and the display language.

One catalogue: each entry maps a key to its text per language. Adding a language means adding a
column here (and the ``zh``/``en``-style fields of rubric labels).
"""

from __future__ import annotations

from typing import Literal

from ._errors import UpgradeScoreError

Lang = Literal["en", "zh"]
LANGUAGES: tuple[Lang, ...] = ("en", "zh")

_display: dict[str, Lang] = {"lang": "en"}

WORDS: dict[str, dict[str, str]] = {
    "Overall": {"en": "Overall", "zh": "总分"},
    "overall": {"en": "overall", "zh": "总分"},
    "level": {"en": "level", "zh": "等级"},
    "balanced level": {"en": "balanced level", "zh": "均衡等级"},
    "balanced": {"en": "balanced", "zh": "均衡等级"},
    "data": {"en": "data", "zh": "数据完整度"},
    "completeness": {"en": "completeness", "zh": "数据完整度"},
    "direction": {"en": "direction", "zh": "方向"},
    "name": {"en": "name", "zh": "名称"},
    "score": {"en": "score", "zh": "得分"},
    "indicator": {"en": "indicator", "zh": "指标"},
    "indicators": {"en": "indicators", "zh": "指标"},
    "value": {"en": "value", "zh": "数值"},
    "unit": {"en": "unit", "zh": "单位"},
    "points": {"en": "points", "zh": "得分贡献"},
    "source": {"en": "source", "zh": "数据来源"},
    "base": {"en": "base", "zh": "基地"},
    "bases": {"en": "bases", "zh": "个基地"},
    "rank": {"en": "rank", "zh": "排名"},
    "percentile": {"en": "pctl", "zh": "百分位"},
    "sorted by": {"en": "sorted by", "zh": "排序依据"},
    "rubric": {"en": "Rubric", "zh": "评价体系"},
    "gap report": {"en": "Gap report", "zh": "差距分析"},
    "target": {"en": "target", "zh": "目标"},
    "now": {"en": "now", "zh": "现状"},
    "deficit": {"en": "deficit", "zh": "差距"},
    "met": {"en": "target met", "zh": "已达到目标"},
    "not met": {"en": "target not met", "zh": "未达到目标"},
    "actions": {"en": "Top actions by overall points gained", "zh": "按总分提升排序的改进措施"},
    "gain": {"en": "gain", "zh": "总分提升"},
    "gain axis": {"en": "overall points gained on its own", "zh": "单项措施带来的总分提升"},
    "Target": {"en": "Target", "zh": "目标"},
    "plan": {"en": "plan step", "zh": "计划步骤"},
    "plan line": {"en": "Plan: {n} action(s) reach the target → overall {score}",
                  "zh": "计划：{n} 项措施即可达到目标 → 总分 {score}"},
    "missing": {"en": "not reported", "zh": "未填报"},
    "weight share": {"en": "weight share", "zh": "权重占比"},
    "cutoff": {"en": "score needed", "zh": "所需得分"},
    "levels": {"en": "levels", "zh": "等级"},
    "directions": {"en": "directions", "zh": "方向"},
    "kind": {"en": "kind", "zh": "类型"},
    "better": {"en": "better", "zh": "方向性"},
    "thresholds": {"en": "thresholds (level 1..L)", "zh": "等级阈值（1..L 级）"},
    "aggregation": {"en": "aggregation", "zh": "汇总方法"},
    "missing policy": {"en": "missing values", "zh": "缺失值处理"},
    "more": {"en": "… {n} more (to_dataframe() has every row)",
             "zh": "…… 另有 {n} 行（to_dataframe() 含全部）"},
    "every direction": {"en": "in every direction", "zh": "（所有方向）"},
    "peer": {"en": "peer", "zh": "对标"},
    "none": {"en": "none", "zh": "无"},
    "n/a": {"en": "n/a", "zh": "不适用"},
    "quantitative": {"en": "quantitative", "zh": "定量"},
    "qualitative": {"en": "qualitative", "zh": "定性"},
    "boolean": {"en": "yes/no", "zh": "是/否"},
    "higher": {"en": "higher is better", "zh": "越高越好"},
    "lower": {"en": "lower is better", "zh": "越低越好"},
    "arithmetic": {"en": "weighted mean", "zh": "加权平均"},
    "geometric": {"en": "weighted geometric mean", "zh": "加权几何平均"},
    "weakest": {"en": "weakest direction", "zh": "取最弱方向"},
    "zero": {"en": "count as zero", "zh": "按零分计"},
    "exclude": {"en": "left out, weights renormalised", "zh": "剔除并重新归一权重"},
}


def word(key: str, lang: Lang) -> str:
    """A word of the displays in ``lang``."""
    return WORDS[key][lang]


def set_display_language(lang: Lang) -> None:
    """Language of labels in notebook displays and ``str()`` of results: ``"en"`` or ``"zh"``."""
    if lang not in ("en", "zh"):
        raise UpgradeScoreError(f"lang: expected 'en' or 'zh', got {lang!r}")
    _display["lang"] = lang


def display_language(lang: Lang | None = None) -> Lang:
    """``lang``, or the display language when ``None``."""
    if lang is None:
        return _display["lang"]
    if lang not in ("en", "zh"):
        raise UpgradeScoreError(f"lang: expected 'en' or 'zh', got {lang!r}")
    return lang


