"""A small rubric with inputs, formulas and enterprise roll-ups (design points 12–13), and two
bases, for the tests of enterprise tables, survey templates and displays of derived values."""

from __future__ import annotations

from pathlib import Path

from upgrade_score import BaseProfile, Rubric, load_profiles, load_rubric

RUBRIC = """\
id: demo-derived
version: "1"
title: {zh: 演示, en: Demo}
levels:
  - {level: 1, name: {zh: 一级, en: L1}}
  - {level: 2, name: {zh: 二级, en: L2}}
enterprise_fields:
  - {id: tonnes, name: {zh: 处理量, en: Tonnes processed}, unit: {zh: 吨, en: t}}
  - {id: green_factory, name: {zh: 绿色工厂, en: Green factory}, kind: boolean}
inputs:
  - {id: energy_use, name: {zh: 综合能耗, en: Energy use}, unit: {zh: 吨标准煤, en: tce},
     valid_range: [0, 1.0e9]}
  - {id: value_added, name: {zh: 工业增加值, en: Value added}, unit: {zh: 万元, en: 10k yuan}}
  - {id: processed, name: {zh: 园区处理量, en: Tonnes processed in the park},
     unit: {zh: 吨, en: t}, rollup: {sum: tonnes}}
  - {id: green_count, name: {zh: 绿色工厂数, en: Green factories},
     rollup: {count_where: green_factory}}
  - {id: firms, name: {zh: 企业数, en: Enterprises}, rollup: {count: all}}
directions:
  - id: a
    name: {zh: 甲方向, en: Direction A}
    weight: 3
    indicators:
      - {id: energy_intensity, name: {zh: 能耗强度, en: Energy intensity},
         unit: {zh: 吨标准煤/万元, en: tce/10k yuan}, better: lower, thresholds: [2, 1],
         formula: "energy_use / value_added"}
      - {id: green_share, name: {zh: 绿色工厂占比, en: Green share}, thresholds: [0.2, 0.5],
         formula: "green_count / firms"}
      - {id: licensed, name: {zh: 持证, en: Licensed}, kind: boolean}
  - id: b
    name: {zh: 乙方向, en: Direction B}
    weight: 1
    indicators:
      - {id: throughput, name: {zh: 处理规模, en: Throughput}, unit: {zh: 吨, en: t},
         thresholds: [100, 300], formula: processed}
"""

BASE_ONE = """\
base: {id: b1, name: {zh: 甲基地, en: Base One}, year: 2025}
values:
  energy_use: 4200
  value_added: 1700
  licensed: true
"""

BASE_TWO = """\
base: {id: b2, name: {zh: 乙基地, en: Base Two}, year: 2025}
values:
  energy_use: 900
  value_added: 0
"""

ENTERPRISES = """\
base_id,id,name,tonnes,green_factory
b1,e1,一号,120,true
b1,e2,二号,80,false
b1,e3,三号,,是
b2,f1,F1,300,否
"""


def demo_files(folder: Path) -> tuple[Path, Path, Path, Path]:
    """The rubric, the two bases and the enterprise table written to ``folder``."""
    paths = (folder / "rubric.yaml", folder / "b1.yaml", folder / "b2.yaml", folder / "enterprises.csv")
    for path, text in zip(paths, (RUBRIC, BASE_ONE, BASE_TWO, ENTERPRISES)):
        path.write_text(text, encoding="utf-8")
    return paths


def demo(folder: Path) -> tuple[Rubric, tuple[BaseProfile, ...], Path]:
    """The rubric, the two bases (loaded) and the path of the enterprise table."""
    rubric_path, one, two, table = demo_files(folder)
    return load_rubric(rubric_path), load_profiles(one, two), table
