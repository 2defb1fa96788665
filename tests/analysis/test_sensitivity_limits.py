"""Sensitivity is bounded by what a request costs: samples × (bases, indicators, uncertain values).

A request over a limit is refused at once, naming the option and the largest count it allows
(CLI: exit 2, one line); one under the limits holds its sampled weights a chunk at a time, so its
memory does not grow with samples × indicators beyond the scores it keeps.
"""

from __future__ import annotations

import time
import tracemalloc

import numpy as np
import pytest

from upgrade_score import BaseProfile, UpgradeScoreError, load_profile, load_rubric, sensitivity
from upgrade_score._analysis.sensitivity import weights
from upgrade_score._analysis.sensitivity.weights import parse_weights, sample_weights
from upgrade_score._cli import main
from v1 import V1, V1_BASES

EXAMPLES = V1_BASES
HUB = EXAMPLES / "scrap_metal_hub.yaml"
QUICK = dict(methods=False, influence=False, value_samples=0)


def refused_fast(option: str, **request: object) -> str:
    """The message of a request refused within a second, before any large allocation."""
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(UpgradeScoreError) as info:
            sensitivity(V1, [load_profile(HUB)], **request)  # type: ignore[arg-type]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 5
    assert peak < 50 * 2**20, f"{peak / 2**20:.0f} MiB before refusing"
    message = str(info.value)
    assert message.startswith(f"{option}: ") and "\n" not in message
    return message


def test_samples_times_indicators_is_bounded() -> None:
    # one base passes the bases × samples guard; 20M samples × 41 weights would be ~26 GiB
    message = refused_fast("samples", samples=20_000_000, seed=1, **QUICK)
    rubric = load_rubric(V1)
    width = len(rubric.indicator_ids) + len(rubric.direction_ids)
    assert f"at most {weights.MAX_WEIGHTS // width:,} samples" in message


def test_samples_times_bases_times_indicators_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(weights, "MAX_PRODUCTS", 35 * 1_000)  # one base, 35 indicators
    message = refused_fast("samples", samples=1_001, seed=1, **QUICK)
    assert "at most 1,000 samples" in message
    sensitivity(V1, [load_profile(HUB)], samples=1_000, seed=1, **QUICK)


def test_value_samples_times_uncertain_values_is_bounded() -> None:
    profile = load_profile(HUB)
    values = {key: {"value": reported.value, "confidence": 0.9}
              for key, reported in profile.values.items() if isinstance(reported.value, float)}
    uncertain = BaseProfile.model_validate({"base": {"id": "u"}, "values": values})
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(UpgradeScoreError, match=r"^value_samples: .*at most [0-9,]+ value samples"):
            sensitivity(V1, [uncertain], samples=10, seed=1, value_samples=10**8)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 5 and peak < 50 * 2**20


def test_cli_refuses_too_many_samples_on_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sensitivity", "--rubric", V1, str(HUB), "--samples", "20000000"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("upgrade-score: error: samples: ") and err.count("\n") == 1
    assert "at most" in err


def test_sampled_weights_are_held_a_chunk_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Memory: the scores kept (12 bytes per base and sample), the direction shares and one chunk
    of indicator shares, not samples × indicators (50,000 × 35 × 8 bytes = 13 MiB a copy)."""
    monkeypatch.setattr(weights, "WEIGHT_CELLS", 1 << 14)
    profiles = [load_profile(HUB)]
    peaks = []
    for samples in (1_000, 50_000):
        tracemalloc.start()
        try:
            sensitivity(V1, profiles, samples=samples, seed=1, **QUICK)
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    grown = peaks[1] - peaks[0]
    assert grown < 49_000 * (12 + 6 * 8) + 2**20, f"{grown / 2**20:.1f} MiB more for 49,000 samples"


@pytest.mark.parametrize("spec", ["dirichlet:50", "uniform:0.2"])
@pytest.mark.parametrize("aggregation", ["arithmetic", "weakest"])
def test_chunked_weights_give_the_same_report(monkeypatch: pytest.MonkeyPatch, spec: str,
                                              aggregation: str) -> None:
    """Chunks draw the same weightings as one draw of all of them (the same random stream)."""
    from upgrade_score import Rubric, load_profiles

    base = load_rubric(V1)
    rubric = Rubric.model_validate({**base.model_dump(), "aggregation": aggregation})
    profiles = list(load_profiles(EXAMPLES))
    whole = sensitivity(rubric, profiles, samples=3_000, weights=spec, seed=7, **QUICK)
    monkeypatch.setattr(weights, "WEIGHT_CELLS", 35 * 128)  # 128 samples a chunk
    chunked = sensitivity(rubric, profiles, samples=3_000, weights=spec, seed=7, **QUICK)
    for a, b in zip(whole.bases, chunked.bases):
        assert a.rank_interval == b.rank_interval and a.level_probability == b.level_probability
        assert a.score_interval.median == pytest.approx(b.score_interval.median, rel=1e-12)
        assert a.score_interval.low == pytest.approx(b.score_interval.low, rel=1e-12)
        assert a.score_interval.high == pytest.approx(b.score_interval.high, rel=1e-12)
    compiled = rubric.compiled
    directions, indicators = sample_weights(compiled, parse_weights(spec), 1_000,
                                            np.random.default_rng(3))
    monkeypatch.setattr(weights, "WEIGHT_CELLS", 100)
    again = sample_weights(compiled, parse_weights(spec), 1_000, np.random.default_rng(3))
    assert np.array_equal(directions, again[0]) and np.array_equal(indicators, again[1])
