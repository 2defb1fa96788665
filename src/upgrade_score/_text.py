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
    "more": {"en": "… {n} more (all of them: --format json, or to_dataframe() in Python)",
             "zh": "…… 另有 {n} 行（全部内容：--format json，或 Python 中的 to_dataframe()）"},
    "every direction": {"en": "in every direction", "zh": "（所有方向）"},
    "peer": {"en": "peer", "zh": "对标"},
    "none": {"en": "none", "zh": "无"},
    "n/a": {"en": "n/a", "zh": "不适用"},
    "gate failed": {"en": "⚠ Basic requirement not met: {name} — {scope} capped at level {caps}",
                    "zh": "⚠ 未满足基本要求：{name}——{scope}等级上限为 {caps} 级"},
    "gate unknown": {"en": "⚠ Basic requirement not shown (no data): {name} — {scope} capped at level {caps}",
                     "zh": "⚠ 基本要求未提供数据：{name}——{scope}等级上限为 {caps} 级"},
    "uncapped": {"en": "Level without the caps: {level}", "zh": "不计上限时的等级：{level}"},
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
    # the HTML report
    "report.report": {"en": "assessment report", "zh": "评价报告"},
    "report.overview": {"en": "Overview", "zh": "总览"},
    "report.directions": {"en": "Direction scores", "zh": "各方向得分"},
    "report.gap": {"en": "Gap to the target", "zh": "与目标的差距"},
    "report.completeness": {"en": "Data completeness", "zh": "数据完整度"},
    "report.all reported": {"en": "Every indicator was reported.", "zh": "所有指标均已填报。"},
    "report.missing list": {"en": "Not reported (scored as level 0 under 'missing: zero'):",
                     "zh": "未填报的指标（按“缺失记零”计为 0 级）："},
    "report.missing list exclude": {"en": "Not reported (left out and the weights renormalised):",
                             "zh": "未填报的指标（不计入，权重重新归一）："},
    "report.sources": {"en": "Sources of the reported values", "zh": "填报数据来源"},
    "report.no sources": {"en": "No value names its source.", "zh": "填报数据均未注明来源。"},
    "report.unsourced": {"en": "{n} of {total} reported values name no source.",
                  "zh": "{total} 项填报数据中有 {n} 项未注明来源。"},
    "report.confidence": {"en": "confidence", "zh": "置信度"},
    "report.appendix": {"en": "The rubric", "zh": "评价体系"},
    "report.rubric sources": {"en": "Indicators, thresholds and their sources", "zh": "指标、阈值及其依据"},
    "report.generated": {"en": "Generated by upgrade-score {version}",
                         "zh": "由 upgrade-score {version} 生成"},
    "report.next level": {"en": "the next level up from each base's balanced level",
                   "zh": "各基地均衡等级的上一级"},
    "report.bases count": {"en": "{n} bases", "zh": "{n} 个基地"},
    "report.one base": {"en": "1 base", "zh": "1 个基地"},
    "report.year": {"en": "year", "zh": "年份"},
    "report.region": {"en": "region", "zh": "地区"},
    "report.category": {"en": "category", "zh": "类型"},
    "report.heat": {"en": "Direction scores of every base", "zh": "各基地分方向得分"},
    "report.radar all": {"en": "Direction scores compared", "zh": "分方向得分对比"},
    "report.more actions": {"en": "… and {n} more actions", "zh": "…… 另有 {n} 项措施"},
    # sensitivity reports
    "sens.heading": {"en": "Sensitivity · rubric {rubric} · {bases} · {samples} samples of {what} weights "
                           "({spec}) · seed {seed}",
                     "zh": "敏感性分析 · 评价体系 {rubric} · {bases} · {what}权重抽样 {samples} 次（{spec}）"
                           " · 随机种子 {seed}"},
    "sens.bases": {"en": "{n} bases", "zh": "{n} 个基地"},
    "sens.base": {"en": "1 base", "zh": "1 个基地"},
    "sens.all": {"en": "direction and indicator", "zh": "方向和指标"},
    "sens.directions": {"en": "direction", "zh": "方向"},
    "sens.indicators": {"en": "indicator", "zh": "指标"},
    "sens.score band": {"en": "score 5–95 %", "zh": "得分 5–95 %"},
    "sens.rank band": {"en": "rank 5–95 %", "zh": "排名 5–95 %"},
    "sens.median rank": {"en": "median rank", "zh": "排名中位数"},
    "sens.top": {"en": "P(top {k})", "zh": "进入前 {k} 的概率"},
    "sens.likely level": {"en": "likely level", "zh": "最可能等级"},
    "sens.methods": {"en": "Method sensitivity: rank under each aggregation/missing policy "
                           "(* = the rubric's)",
                     "zh": "方法敏感性：各汇总方法/缺失值处理下的排名（* 为评价体系所用）"},
    "sens.range": {"en": "range", "zh": "极差"},
    "sens.tau": {"en": "Kendall's tau-b with {nominal}: {taus}.",
                 "zh": "与 {nominal} 的 Kendall tau-b：{taus}。"},
    "sens.fragile": {"en": "Fragile bases (rank range ≥ {k}): {bases}.",
                     "zh": "排名不稳定的基地（排名极差 ≥ {k}）：{bases}。"},
    "sens.influence": {"en": "Influence: effective share of the overall spread (squared correlation) "
                             "vs nominal weight",
                       "zh": "影响力：对总分离散的实际贡献（相关系数平方）与名义权重对比"},
    "sens.nominal": {"en": "nominal", "zh": "名义"},
    "sens.effective": {"en": "effective", "zh": "实际"},
    "sens.furthest": {"en": "Indicators furthest from their nominal share: {list}.",
                      "zh": "实际贡献偏离名义权重最大的指标：{list}。"},
    "sens.share": {"en": "{id} {effective} (nominal {nominal})", "zh": "{id} {effective}（名义 {nominal}）"},
    "sens.values": {"en": "Value confidence: {n} samples of the uncertain values",
                    "zh": "数据置信度：对不确定数值抽样 {n} 次"},
    "sens.sources": {"en": "main sources (share of variance)", "zh": "主要来源（方差占比）"},
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


