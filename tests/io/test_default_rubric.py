"""The default rubric 2026.2 and its example bases: what the sourced review asked for (gates for
legal duties, categories, n/a, derived indicators, the added indicators, zh and en, sources that
mark design choices), and hand-computed scores of the examples."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from upgrade_score import Label, Scorecard, load_profile, load_profiles, load_rubric, score, score_many

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "bases"
RUBRIC = load_rubric()
CJK = re.compile(r"[\u4e00-\u9fff]")
# Latin letters a Chinese text may hold: standard codes (GB/T 39116-2020, HJ 274-2015) and the keys
# of the review's sources (S8, listed at the top of the rubric file), and nothing else
STANDARD_CODE = re.compile(r"(?<![A-Za-z])(?:GB/T|HJ) \d+-\d{4}|(?<![A-Za-z])S\d{1,2}(?!\d)")


def _texts() -> list[tuple[str, Label | str | None]]:
    """(where, text) of every name, unit, description and source the rubric shows a reader."""
    found: list[tuple[str, Label | str | None]] = [("title", RUBRIC.title),
                                                   ("description", RUBRIC.description)]
    for level in RUBRIC.levels:
        found += [(f"level {level.level}", level.name), (f"level {level.level}", level.description)]
    for item in [*RUBRIC.directions, *(RUBRIC.categories or ()), *(RUBRIC.inputs or ()),
                 *(RUBRIC.enterprise_fields or ())]:
        found += [(item.id, item.name), (item.id, item.description)]
        found += [(item.id, getattr(item, "unit", None) or Label(zh="单位", en="unit"))]
    for gate in RUBRIC.gates or ():
        found.append((gate.id, gate.name))
    for indicator in RUBRIC.indicators:
        found += [(indicator.id, getattr(indicator, name))
                  for name in ("name", "unit", "description", "source")]
        found += [(f"{indicator.id} level {k}", text) for k, text in (indicator.descriptors or {}).items()]
    return found


@pytest.mark.parametrize(("where", "text"), _texts(),
                         ids=lambda value: value if isinstance(value, str) else "")
def test_every_text_in_chinese_and_english(where: str, text: Label | str | None) -> None:
    """zh and en everywhere (a unit may be a symbol such as %), and the Chinese side in Chinese."""
    if text == "%":
        return
    assert isinstance(text, Label) and text.zh and text.en, where
    chinese = STANDARD_CODE.sub("", text.zh)
    assert CJK.search(chinese) or chinese.strip() in {"%"}, (where, text.zh)
    assert re.findall(r"[A-Za-z]+", chinese) == [], (where, text.zh)


def test_chinese_names_have_no_slashes_or_acronyms() -> None:
    """The review: no slashes or acronyms in Chinese names (再生原料保级/同级利用率 was one)."""
    names = [i.name.zh for i in RUBRIC.indicators]
    assert [n for n in names if n and ("/" in n or re.search(r"[A-Za-z]", n))] == []


def test_every_source_marks_what_is_sourced_and_what_is_a_design_choice() -> None:
    for indicator in RUBRIC.indicators:
        assert isinstance(indicator.source, Label)
        en, zh = indicator.source.en or "", indicator.source.zh or ""
        assert "design choice" in en or "sourced" in en, indicator.id
        assert ("design choice" in en) == ("设计选择" in zh), indicator.id
        if "recalled" in en:  # a figure remembered, not checked against its text, says so
            assert "verify" in en and "凭记忆" in zh, indicator.id


def test_legal_duties_are_gates_capping_the_level() -> None:
    gates = {g.id: (g.indicator, g.condition, g.caps, g.scope) for g in RUBRIC.gates or ()}
    assert gates == {
        "hazardous_waste_all_licensed": ("hazardous_waste_safe_disposal", ("at_least", 100.0), 0, "overall"),
        "key_dischargers_monitored": ("key_discharger_monitoring", ("equals", True), 0, "overall"),
        "no_major_environmental_incident": ("no_major_incident", ("equals", True), 0, "overall")}


def test_weights_are_the_stated_design_choice() -> None:
    """Equal directions; equal indicators within a direction except four at half weight."""
    assert {d.weight for d in RUBRIC.directions} == {1.0}
    half = {i.id for i in RUBRIC.indicators if i.weight == 0.5}
    assert half == {"hazardous_waste_safe_disposal", "key_discharger_monitoring", "no_major_incident",
                    "verified_reduction_share"}
    assert {i.weight for i in RUBRIC.indicators if i.id not in half} == {1.0}


def test_review_findings_acted_on() -> None:
    ids = set(RUBRIC.indicator_ids)
    replaced = {"output_value_per_tonne", "top5_output_share", "licensed_processing_share",
                "carbon_footprint_products", "chain_stage_coverage", "environmental_violations"}
    added = {"carbon_intensity", "cleaner_production_audit_share", "environmental_disclosure_share",
             "waste_heat_recovery_rate", "base_management_system", "emerging_stream_capacity",
             "compliant_invoice_share", "avoided_co2_per_tonne", "value_added_per_tonne",
             "standard_firm_throughput_share", "licensed_throughput_share", "product_footprint_share",
             "violations_per_100_firms", "chain_stage_share"}
    assert not replaced & ids and added <= ids and len(ids) == 45
    assert RUBRIC.indicator("annual_throughput").thresholds == (30, 50, 100, 150, 250)  # S8's bar
    assert RUBRIC.indicator("manufacturer_anchor_firms").interpolation == "step"
    assert RUBRIC.indicator("water_reuse_rate").allow_na
    heat = RUBRIC.indicator("waste_heat_recovery_rate")
    assert heat.applies_to == ("ferrous", "non_ferrous") and heat.allow_na
    assert RUBRIC.category_ids == ("ferrous", "non_ferrous", "ewaste", "mixed")
    derived = [i.id for i in RUBRIC.indicators if i.formula]
    assert len(derived) == 17 and "energy_intensity" in derived and "green_factory_share" in derived


# --- the example bases ---------------------------------------------------------------------------------

def card(name: str) -> Scorecard:
    return score(RUBRIC, load_profile(EXAMPLES / f"{name}.yaml"))


def test_the_examples_cover_every_category_an_enterprise_table_and_a_failed_gate() -> None:
    bases = load_profiles(EXAMPLES)
    assert {b.base.category for b in bases} == set(RUBRIC.category_ids)
    assert sum(1 for b in bases if b.enterprises) >= 1
    table = score_many(RUBRIC, bases)
    failed = [b.id for b, c in zip(bases, table)
              if any(g.status == "failed" for g in (c.gates or {}).values())]
    assert failed == ["songxi-mixed-recycling-base"]


def test_hub_by_hand() -> None:
    hub = card("scrap_metal_hub")
    i = hub.indicators
    # value added per tonne: 70,000 万元 / 180 万吨 = 388.9 元/吨, on the ferrous bars 150, 250, 400...
    assert i["value_added_per_tonne"].value == pytest.approx(70000 / 180)
    assert i["value_added_per_tonne"].level == pytest.approx(2 + (70000 / 180 - 250) / 150)
    # green factories: 5 of 20 enterprise rows = 25 %, between 15 (level 2) and 30 (level 3)
    assert i["green_factory_share"].value == pytest.approx(25.0)
    assert i["green_factory_share"].level == pytest.approx(2 + 10 / 15)
    # avoided CO2: (1.6 × 120 + 11 × 4 + 2.6 × 1) / 180 t per t, ferrous bars 1.2 (3) .. 1.35 (4)
    avoided = (1.6 * 120 + 11 * 4 + 2.6 * 1) / 180
    assert i["avoided_co2_per_tonne"].value == pytest.approx(avoided)
    assert i["avoided_co2_per_tonne"].level == pytest.approx(3 + (avoided - 1.2) / 0.15)
    # no furnaces: waste-heat recovery answered n/a, so it leaves low_carbon
    assert i["waste_heat_recovery_rate"].not_applicable
    assert hub.overall.level == 2 and all(g.status == "passed" for g in (hub.gates or {}).values())


def test_non_ferrous_bars_and_ewaste_category() -> None:
    hongshan = card("nonferrous_recycling_park").indicators
    # energy: 72,000 tce / 90,000 万元 = 0.8, non-ferrous bars 1.0 (level 2) .. 0.7 (level 3)
    assert hongshan["energy_intensity"].value == pytest.approx(0.8)
    assert hongshan["energy_intensity"].level == pytest.approx(2 + 0.2 / 0.3)
    qinglan = card("ewaste_dismantling_park").indicators
    assert qinglan["waste_heat_recovery_rate"].not_applicable  # not for its category
    # e-waste bars for energy: 12,000 / 60,000 = 0.2, between 0.25 (level 3) and 0.18 (level 4)
    assert qinglan["energy_intensity"].level == pytest.approx(3 + 0.05 / 0.07)


def test_early_stage_base_fails_a_gate_and_lacks_its_enterprise_table() -> None:
    songxi = card("early_stage_mixed_base")
    gates = {g: status.status for g, status in (songxi.gates or {}).items()}
    assert gates == {"hazardous_waste_all_licensed": "failed", "key_dischargers_monitored": "unknown",
                     "no_major_environmental_incident": "passed"}
    assert songxi.overall.level == 0
    assert songxi.indicators["green_factory_share"].value is None  # no enterprise rows: no firms


def test_detail_shows_formulas_enterprise_rows_and_gates(capsys: pytest.CaptureFixture[str]) -> None:
    from upgrade_score._cli import main

    assert main(["score", str(EXAMPLES / "scrap_metal_hub.yaml"), "--detail"]) == 0
    lines = capsys.readouterr().out.splitlines()
    at = lines.index(next(line for line in lines if line.startswith("green_factory_share  ") and "=" in line))
    assert "= green_firms / firms * 100 = 5 enterprises / 20 enterprises * 100" in lines[at]
    assert "green_firms: 5 enterprises (from 20 enterprise rows)" in lines[at + 1]
    assert main(["score", str(EXAMPLES / "early_stage_mixed_base.yaml"), "--detail", "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    gate = next(line for line in out.splitlines() if line.startswith("hazardous_waste_all_licensed "))
    assert "hazardous_waste_safe_disposal ≥ 100 %" in gate and "未满足" in gate
    assert "基本要求编号" in out and "未满足时等级上限" in out
    # without --detail the table of basic requirements is not shown (the alert lines are)
    assert main(["score", str(EXAMPLES / "early_stage_mixed_base.yaml")]) == 0
    out = capsys.readouterr().out
    assert "caps at level" not in out and "Basic requirement not met" in out
