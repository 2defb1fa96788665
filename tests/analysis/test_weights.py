"""Where weights come from (design point 14): weight blocks with CR and the worst comparisons,
the lint finding that fails ``check`` at CR > 0.10, the ``weights`` command, and the lint rules of
inputs, enterprise fields and formulas."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from upgrade_score._analysis.lint import LintFinding, lint, lint_file
from upgrade_score._analysis.weights import ratio, weight_blocks
from upgrade_score._cli import main
from upgrade_score._model.rubric import Rubric

TEXTBOOK = [[1, 3, 5], [1 / 3, 1, 2], [1 / 5, 1 / 2, 1]]
CYCLE = [[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]]  # a ≻ b ≻ c ≻ a, each 9 times over
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_-]{2,}")


def _indicator(key: str, **extra: Any) -> dict[str, Any]:
    return {"id": key, "name": {"en": key.upper(), "zh": key}, "thresholds": [1, 2], "source": "s", **extra}


def data(direction_matrix: list[list[float]] | None = None,
         indicator_matrix: list[list[float]] | None = None) -> dict[str, Any]:
    directions: list[dict[str, Any]] = [
        {"id": key, "name": {"en": key.upper(), "zh": f"方向{key}"}, "indicators": [_indicator(f"{key}1")]}
        for key in ("a", "b", "c")]
    directions[2]["indicators"] = [_indicator("x"), _indicator("y"), _indicator("z")]
    if indicator_matrix is not None:
        directions[2]["indicator_weights"] = {"method": "ahp", "order": ["x", "y", "z"],
                                              "pairwise": indicator_matrix}
    rubric: dict[str, Any] = {"id": "ahp-demo", "version": "1", "title": {"en": "Demo", "zh": "演示"},
                              "levels": [{"level": 1, "name": {"en": "L1", "zh": "一级"}},
                                         {"level": 2, "name": {"en": "L2", "zh": "二级"}}],
                              "directions": directions}
    if direction_matrix is not None:
        rubric["direction_weights"] = {"method": "ahp", "order": ["a", "b", "c"],
                                       "pairwise": direction_matrix}
    return rubric


def test_textbook_block_weights_shares_and_cr() -> None:
    report = weight_blocks(Rubric.model_validate(data(indicator_matrix=TEXTBOOK)))
    directions, a, _, c = report.blocks
    assert (directions.method, directions.path, directions.cr) == ("direct", "directions", None)
    assert directions.shares == pytest.approx({"a": 1 / 3, "b": 1 / 3, "c": 1 / 3})
    assert (a.method, a.path, a.weights) == ("direct", "directions[0].indicators", {"a1": 1.0})
    assert (c.method, c.path, c.direction) == ("ahp", "directions[2].indicator_weights.pairwise", "c")
    assert [round(w, 3) for w in c.weights.values()] == [0.648, 0.230, 0.122]
    assert [round(s, 3) for s in c.shares.values()] == [0.216, 0.077, 0.041]  # 0.648 / 3 ...
    assert round(c.cr or 0, 3) == 0.003 and c.consistent and report.consistent
    assert c.lambda_max == pytest.approx(3.0037, abs=1e-4)
    assert c.ci == pytest.approx((c.lambda_max - 3) / 2)


def test_cycle_is_inconsistent_with_every_comparison_named() -> None:
    # by symmetry w = (1/3, 1/3, 1/3); λ_max = 1 + 9 + 1/9; CI = (λ_max − 3)/2; CR = CI/0.58
    block = weight_blocks(Rubric.model_validate(data(direction_matrix=CYCLE))).blocks[0]
    assert block.weights == pytest.approx({"a": 1 / 3, "b": 1 / 3, "c": 1 / 3})
    assert block.lambda_max == pytest.approx(1 + 9 + 1 / 9)
    assert block.cr == pytest.approx((1 + 9 + 1 / 9 - 3) / 2 / 0.58)
    assert not block.consistent
    assert [(j.a, j.b, round(j.judged, 6), round(j.implied, 6)) for j in block.worst] == [
        ("a", "b", 9, 1), ("a", "c", round(1 / 9, 6), 1), ("b", "c", 9, 1)]


def test_inconsistent_matrix_is_a_located_lint_error_in_both_languages() -> None:
    rubric = Rubric.model_validate(data(direction_matrix=CYCLE, indicator_matrix=TEXTBOOK))
    [finding] = [f for f in lint(rubric) if f.id == "pairwise-inconsistent"]  # the textbook one passes
    assert (finding.severity, finding.path) == ("error", "direction_weights.pairwise")
    assert finding.message == ("CR 6.130 > 0.10: the comparisons are inconsistent; most inconsistent: "
                               "a vs b: judged 9, the weights imply 1; a vs c: judged 1/9, the weights "
                               "imply 1; b vs c: judged 9, the weights imply 1")
    assert finding.text("zh") == ("一致性比率 CR 6.130 > 0.10：判断矩阵未通过一致性检验；最不一致的比较："
                                  "a 比 b：判断为 9，权重隐含 1；a 比 c：判断为 1/9，权重隐含 1；"
                                  "b 比 c：判断为 9，权重隐含 1")
    data_ = finding.to_dict()
    assert data_["consistency"]["cr"] == pytest.approx(6.130268, abs=1e-6)
    assert [w["judged"] for w in data_["consistency"]["worst"]] == [9.0, 0.111111, 9.0]
    other = LintFinding(id="missing-source", severity="warning", message="m", path="p").to_dict()
    assert sorted(other) == ["file", "id", "line", "message", "path", "severity"]  # as before


def test_indicator_block_located_at_its_direction(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text(json.dumps(data(indicator_matrix=CYCLE), indent=1), encoding="utf-8")
    [finding] = [f for f in lint_file(path) if f.id == "pairwise-inconsistent"]
    assert finding.path == "directions[2].indicator_weights.pairwise"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[(finding.line or 0) - 1].strip() == '"pairwise": ['
    assert "x vs y: judged 9" in finding.message


@pytest.mark.parametrize(("value", "shown"), [(5, "5"), (1 / 3, "1/3"), (0.2, "1/5"), (1.4286, "1.4"),
                                               (0.71, "0.71"), (12.34, "12.3"), (1, "1")])
def test_ratio(value: float, shown: str) -> None:
    assert ratio(value) == shown


# --- the command line ------------------------------------------------------------------------------

def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path: Path, rubric: dict[str, Any]) -> Path:
    path = tmp_path / "rubric.yaml"
    path.write_text(json.dumps(rubric, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def test_check_fails_without_strict_and_json_carries_cr(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, data(direction_matrix=CYCLE))
    code, out, _ = run(capsys, "check", path)
    assert code == 1
    [line] = [line for line in out.splitlines() if "pairwise" in line]
    assert re.match(rf"^{re.escape(str(path))}:\d+: direction_weights.pairwise: error "
                    r"\[pairwise-inconsistent\]: CR 6.130 > 0.10: .* a vs b: judged 9, the weights imply 1;",
                    line)
    code, out, _ = run(capsys, "check", path, "--format", "json")
    document = json.loads(out)
    assert code == 1 and document["ok"] is False
    [finding] = document["findings"]
    assert finding["consistency"]["cr"] == pytest.approx(6.130268, abs=1e-6)
    assert finding["consistency"]["worst"][0] == {"a": "a", "b": "b", "judged": 9.0, "implied": 1.0}
    code, _, _ = run(capsys, "check", write(tmp_path, data(direction_matrix=TEXTBOOK)))
    assert code == 0


def test_weights_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "weights", write(tmp_path, data(indicator_matrix=TEXTBOOK)))
    assert code == 0
    assert "Every pairwise block passes the consistency check (CR ≤ 0.10)." in out
    assert "Indicators of C · pairwise comparison (AHP)" in out and "Directions · set directly" in out
    assert re.search(r"^x +X +0\.648 +21\.6 %$", out, re.M)
    assert "λ_max 3.004 · CI 0.002 · CR 0.003 ≤ 0.10: consistent" in out
    code, out, _ = run(capsys, "weights", write(tmp_path, data(direction_matrix=CYCLE)), "--lang", "zh")
    assert code == 1
    assert "1 个判断矩阵未通过一致性检验（CR > 0.10）。" in out and "最不一致的比较：a 比 b：判断为 9" in out
    assert set(LATIN_WORD.findall(out)) <= {"ahp-demo"}  # ids only: no English prose
    code, out, _ = run(capsys, "weights", write(tmp_path, data(direction_matrix=CYCLE)), "--format", "json")
    blocks = json.loads(out)["blocks"]
    assert code == 1 and blocks[0]["method"] == "ahp" and blocks[0]["consistent"] is False
    code, out, _ = run(capsys, "weights", "urban-mining-upgrade", "--format", "markdown")
    assert code == 0 and "Every weight is set directly (no pairwise comparison)." in out
    code, _, err = run(capsys, "weights", tmp_path / "missing.yaml")
    assert code == 2 and "missing.yaml" in err and "Traceback" not in err


# --- lint rules of inputs, enterprise fields and formulas -------------------------------------------

def test_unused_inputs_fields_and_constant_formulas() -> None:
    rubric = data()
    rubric["enterprise_fields"] = [{"id": "tonnes", "name": "t"}, {"id": "staff", "name": "s"}]
    rubric["inputs"] = [{"id": "energy", "name": "e"}, {"id": "spare", "name": "s"},
                        {"id": "processed", "name": "p", "rollup": {"sum": "tonnes"}}]
    rubric["directions"][0]["indicators"][0]["formula"] = "energy / processed"
    rubric["directions"][1]["indicators"][0]["formula"] = "2 * (3 + 1)"
    found = [(f.id, f.path, f.message) for f in lint(Rubric.model_validate(rubric))
             if f.id in ("input-unused", "enterprise-field-unused", "formula-without-input")]
    assert found == [
        ("formula-without-input", "directions[1].indicators[0].formula",
         "the formula '2 * (3 + 1)' of indicator 'b1' uses no input: every base gets the same value"),
        ("input-unused", "inputs[1].id", "input 'spare' is used by no formula: bases report it for nothing"),
        ("enterprise-field-unused", "enterprise_fields[1].id",
         "enterprise field 'staff' is rolled up by no input: enterprises report it for nothing")]


# --- sensitivity treats derived weights like any other --------------------------------------------

def test_sensitivity_of_ahp_weights_equals_written_weights() -> None:
    from upgrade_score import BaseProfile, sensitivity

    ahp = Rubric.model_validate(data(direction_matrix=TEXTBOOK, indicator_matrix=TEXTBOOK))
    written = data()
    for direction in written["directions"]:
        direction["weight"] = ahp.direction(direction["id"]).weight
        for indicator in direction["indicators"]:
            indicator["weight"] = ahp.indicator(indicator["id"]).weight
    direct = Rubric.model_validate(written)
    assert direct.sha256 != ahp.sha256 and direct.compiled.weights.tolist() == ahp.compiled.weights.tolist()
    rng = np.random.default_rng(5)
    group = [BaseProfile.model_validate({"base": {"id": f"b{n}"}, "values": {
        key: float(rng.uniform(0.5, 2.5)) for key in ahp.indicator_ids}}) for n in range(6)]
    for spec in ("dirichlet:50", "uniform:0.2"):
        runs = [sensitivity(r, group, samples=400, weights=spec, seed=11, value_samples=50).to_dict()
                for r in (ahp, direct)]
        equal = sensitivity(Rubric.model_validate(data()), group, samples=400, weights=spec, seed=11,
                            value_samples=50).to_dict()
        for run in (*runs, equal):
            run.pop("rubric")
        assert runs[0] == runs[1]
        assert runs[0] != equal  # the weights matter: equal weights give another result


# --- properties over random reciprocal matrices on Saaty's scale -----------------------------------

SAATY = [1 / 9, 1 / 7, 1 / 5, 1 / 3, 1, 3, 5, 7, 9]


@st.composite
def reciprocal(draw: st.DrawFn) -> list[list[float]]:
    n = 3  # the three directions of data()
    matrix = [[1.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            value = draw(st.sampled_from(SAATY))
            matrix[i][j], matrix[j][i] = value, 1 / value
    return matrix


@settings(max_examples=60, deadline=None)
@given(reciprocal(), st.permutations([0, 1, 2]))
def test_check_fails_exactly_when_cr_exceeds_a_tenth_and_a_reorder_is_no_change(
        matrix: list[list[float]], order: list[int]) -> None:
    from upgrade_score import diff

    rubric = Rubric.model_validate(data(direction_matrix=matrix))
    block = weight_blocks(rubric).blocks[0]
    assert sum(block.weights.values()) == pytest.approx(1.0)
    assert sum(block.shares.values()) == pytest.approx(1.0)
    failing = [f for f in lint(rubric) if f.id == "pairwise-inconsistent"]
    assert bool(failing) == ((block.cr or 0) > 0.10)
    ids = ["a", "b", "c"]
    shuffled = data(direction_matrix=[[matrix[i][j] for j in order] for i in order])
    shuffled["direction_weights"]["order"] = [ids[i] for i in order]
    assert diff(rubric, Rubric.model_validate(shuffled)).changes == ()
