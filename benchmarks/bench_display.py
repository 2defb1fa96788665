"""Benchmark: displays of large rubrics and scorecards (``str()``, ``_repr_html_``).

Builds the default rubric with its six directions widened to ``--indicators`` indicators in all
(copies of each direction's first indicator) and times ``str(rubric)``, ``rubric._repr_html_()``
and a scorecard's ``str()`` and ``_repr_html_()`` at a tenth of that size and at full size. The
work per indicator is constant, so the times grow linearly: 10× the indicators, about 10× the time
(they grew as n^2.8 before: 20,000 indicators took 34 s). Compiling the rubric (once, cached) is
timed on its own.

    python benchmarks/bench_display.py [--indicators 20000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time

from bench_score import best_of

from upgrade_score import BaseProfile, Rubric, load_rubric, score


def wide_rubric(total: int) -> Rubric:
    """The default rubric with about ``total`` indicators, spread evenly over its directions."""
    data = load_rubric("urban-mining-upgrade@2026.1").model_dump(mode="json", exclude_none=True)
    per_direction = max(1, total // len(data["directions"]))
    for d, direction in enumerate(data["directions"]):
        first = direction["indicators"][0]
        direction["indicators"] = [{**first, "id": f"{direction['id']}_{k}",
                                    "name": {"en": f"Indicator {d}.{k}", "zh": f"指标 {d}.{k}"}}
                                   for k in range(per_direction)]
    data.pop("gates", None)
    return Rubric.model_validate(data)


def timings(total: int, repeat: int) -> tuple[int, float, dict[str, float]]:
    rubric = wide_rubric(total)
    start = time.perf_counter()
    rubric.compiled  # noqa: B018 - compiled once and cached: timed apart from the displays
    compiled = time.perf_counter() - start
    card = score(rubric, BaseProfile.model_validate({"base": {"id": "b"}, "values": {}}))
    shown = {
        "str(rubric)": best_of(repeat, lambda: str(rubric)),
        "rubric._repr_html_()": best_of(repeat, rubric._repr_html_),
        "str(scorecard)": best_of(repeat, lambda: str(card)),
        "scorecard._repr_html_()": best_of(repeat, card._repr_html_),
    }
    return len(rubric.indicator_ids), compiled, shown


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--indicators", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    small_n, small_compile, small = timings(max(6, args.indicators // 10), args.repeat)
    large_n, large_compile, large = timings(args.indicators, args.repeat)
    print(f"default rubric widened to {small_n:,} and {large_n:,} indicators (6 directions)\n")
    print(f"{'display':26s} {small_n:>9,} {large_n:>9,}  ratio (size ×{large_n / small_n:.0f})")
    for name in small:
        print(f"{name:26s} {small[name]:9.3f} {large[name]:9.3f}  {large[name] / small[name]:5.1f}×")
    print(f"{'compile (once, cached)':26s} {small_compile:9.3f} {large_compile:9.3f}  "
          f"{large_compile / small_compile:5.1f}×")
    total = sum(large.values())
    print(f"\nall four displays of {large_n:,} indicators: {total:.2f} s (target ≤ 5 s; was 34 s for "
          f"str(rubric) alone)")


if __name__ == "__main__":
    main()
