"""Charts written directly as SVG text: the report's per-base radar and action bars, and its heat
map of direction scores.

A report draws two charts per base and a heat map with a row per base; through matplotlib each
costs a figure, a layout and a font lookup (about a second per base; the heat map of 100 bases 3 s),
here a few hundred lines of text (microseconds). The browser
draws the labels with the page's fonts, so Chinese labels need no font on the machine that
writes the report. Same inputs, same bytes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from xml.sax.saxutils import escape

COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf")  # matplotlib's default cycle, as the other charts use
TARGET_COLOUR = "#d62728"
FONTS = ('"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", '
         '"WenQuanYi Zen Hei", "Helvetica Neue", Arial, sans-serif')


def _svg(width: float, height: float, body: list[str]) -> bytes:
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:g}" height="{height:g}" '
            f"viewBox=\"0 0 {width:g} {height:g}\" font-family='{FONTS}' font-size=\"12\">")
    return "\n".join([head, '<rect width="100%" height="100%" fill="#ffffff"/>', *body, "</svg>"]).encode()


def _text(x: float, y: float, text: str, anchor: str = "middle", size: float = 12,
          colour: str = "#222222", extra: str = "") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size:g}" fill="{colour}"'
            f"{extra}>{escape(text)}</text>")


def _polygon(points: Sequence[tuple[float, float]], style: str) -> str:
    return f'<polygon points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in points)}" {style}/>'


def radar_svg(names: Sequence[str], scores: Sequence[float], goal: Sequence[float] | None,
              rings: Sequence[float], ring_labels: Sequence[str], target_label: str) -> bytes:
    """A radar of direction scores (0–100; NaN: drawn at 0) with the target as a dashed outline
    and a ring at each level cutoff, names around it."""
    size, radius = 520.0, 150.0
    cx, cy = size / 2, 215.0
    count = len(names)
    angles = [2 * math.pi * k / count for k in range(count)]

    def at(value: float, angle: float) -> tuple[float, float]:
        r = radius * max(0.0, min(100.0, 0.0 if math.isnan(value) else value)) / 100.0
        return cx + r * math.sin(angle), cy - r * math.cos(angle)

    body = []
    for ring, label in zip(rings, ring_labels):
        body.append(_polygon([at(ring, a) for a in angles],
                             'fill="none" stroke="#cccccc" stroke-width="0.8"'))
        x, y = at(ring, math.pi / count)
        body.append(_text(x, y, label, "start", 9, "#555555"))
    for name, angle in zip(names, angles):
        body.append(f'<line x1="{cx:.1f}" y1="{cy:.1f}" x2="{at(100, angle)[0]:.1f}" '
                    f'y2="{at(100, angle)[1]:.1f}" stroke="#cccccc" stroke-width="0.8"/>')
        x, y = at(112, angle)
        side = math.sin(angle)
        anchor = "start" if side > 0.1 else "end" if side < -0.1 else "middle"
        body.append(_text(x, y + 4, name, anchor, 12))
    body.append(_polygon([at(s, a) for s, a in zip(scores, angles)],
                         f'fill="{COLOURS[0]}" fill-opacity="0.12" stroke="{COLOURS[0]}" stroke-width="2"'))
    if goal is not None:
        body.append(_polygon([at(s, a) for s, a in zip(goal, angles)],
                             f'fill="none" stroke="{TARGET_COLOUR}" stroke-width="1.6" '
                             'stroke-dasharray="6,3"'))
        y = size * 0.8 + 6
        body.append(f'<line x1="{cx - 60:.1f}" y1="{y:.1f}" x2="{cx - 36:.1f}" y2="{y:.1f}" '
                    f'stroke="{TARGET_COLOUR}" stroke-width="1.6" stroke-dasharray="6,3"/>')
        body.append(_text(cx - 30, y + 4, target_label, "start", 11))
    return _svg(size, size * 0.8 + 24, body)


def actions_svg(labels: Sequence[str], gains: Sequence[float], colours: Sequence[int],
                planned: Sequence[bool], axis_label: str, legend: Sequence[tuple[int, str]]) -> bytes:
    """Horizontal bars of the actions' gains, coloured by direction (``colours``: an index into
    the cycle), solid when the action is in the plan and outlined when not; the gain beside each."""
    left, width, row = 250.0, 300.0, 26.0
    top = 12.0
    largest = max([*gains, 0.0]) * 1.18 or 1.0
    body = []
    for k, (label, gain, colour, solid) in enumerate(zip(labels, gains, colours, planned)):
        y = top + row * k
        length = width * max(gain, 0.0) / largest
        fill = COLOURS[colour % len(COLOURS)]
        body.append(f'<rect x="{left:.1f}" y="{y + 3:.1f}" width="{length:.1f}" height="{row - 8:.1f}" '
                    f'fill="{fill if solid else "#ffffff"}" stroke="{fill}" stroke-width="1.5"/>')
        body.append(_text(left - 6, y + row / 2 + 2, label, "end", 11))
        body.append(_text(left + length + 4, y + row / 2 + 2, f"+{gain:.1f}", "start", 11))
    axis = top + row * len(labels)
    body.append(f'<line x1="{left:.1f}" y1="{axis:.1f}" x2="{left + width:.1f}" y2="{axis:.1f}" '
                'stroke="#888888"/>')
    body.append(_text(left + width / 2, axis + 18, axis_label, "middle", 11))
    x, y, total = 10.0, axis + 30, left + width + 60
    for colour, name in legend:  # rows of legend entries, wrapped at the chart's width
        wide = 24 + 11 * len(name) * (1.1 if any(ord(c) > 0x2E80 for c in name) else 0.55)
        if x + wide > total and x > 10:
            x, y = 10.0, y + 16
        body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="10" height="10" '
                    f'fill="{COLOURS[colour % len(COLOURS)]}"/>')
        body.append(_text(x + 14, y + 9, name, "start", 10))
        x += wide
    height = y + 24
    return _svg(left + width + 60, height, body)


# ColorBrewer's RdYlGn, 11 classes (Cynthia Brewer, colorbrewer2.org; matplotlib's "RdYlGn" is
# the same scheme interpolated): red at 0, green at 100
RED_YELLOW_GREEN = ("#a50026", "#d73027", "#f46d43", "#fdae61", "#fee08b", "#ffffbf", "#d9ef8b",
                    "#a6d96a", "#66bd63", "#1a9850", "#006837")
NOT_APPLICABLE_FILL = "#eeeeee"


def heat_colour(score: float) -> str:
    """The colour of a score 0–100 on the red-yellow-green scale (linear between classes)."""
    position = max(0.0, min(100.0, score)) / 100.0 * (len(RED_YELLOW_GREEN) - 1)
    low = min(int(position), len(RED_YELLOW_GREEN) - 2)
    share = position - low
    start, end = RED_YELLOW_GREEN[low], RED_YELLOW_GREEN[low + 1]
    channels = (round(int(start[k:k + 2], 16) * (1 - share) + int(end[k:k + 2], 16) * share)
                for k in (1, 3, 5))
    return "#" + "".join(f"{c:02x}" for c in channels)


def _text_width(text: str, size: float) -> float:
    """About how wide ``text`` is drawn (Chinese characters are square, Latin ones half as wide)."""
    return sum(size * (1.0 if ord(c) > 0x2E80 else 0.58) for c in text)


def heatmap_svg(row_labels: Sequence[str], column_labels: Sequence[str],
                scores: Sequence[Sequence[float]], cutoffs: Sequence[float],
                cutoff_labels: Sequence[str]) -> bytes:
    """Direction scores as a heat map: a row per base, a column per direction, each cell coloured
    red (0) to green (100) with its score written in it (NaN: the direction does not apply, grey
    and empty); a colour bar on the right marks the level cutoffs."""
    cell_width, cell_height = 96.0, 20.0
    left = min(260.0, 12 + max([_text_width(label, 11) for label in row_labels] + [0.0]))
    top = 16 + max([_text_width(label, 11) for label in column_labels] + [0.0]) * 0.5 + 12
    body = []
    for j, label in enumerate(column_labels):  # turned 30° so that long names fit
        x = left + cell_width * (j + 0.5)
        turned = f' transform="rotate(-30 {x:.1f} {top - 8:.1f})"'
        body.append(_text(x, top - 8, label, "start", 11, extra=turned))
    for i, (label, row) in enumerate(zip(row_labels, scores)):
        y = top + cell_height * i
        body.append(_text(left - 6, y + cell_height / 2 + 4, label, "end", 11))
        for j, score in enumerate(row):
            x = left + cell_width * j
            missing = math.isnan(score)
            body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{cell_width:g}" height="{cell_height:g}" '
                        f'fill="{NOT_APPLICABLE_FILL if missing else heat_colour(score)}" '
                        'stroke="#ffffff" stroke-width="1"/>')
            if not missing:
                ink = "#ffffff" if score < 20 or score > 85 else "#222222"
                body.append(_text(x + cell_width / 2, y + cell_height / 2 + 4, f"{score:.0f}", "middle",
                                  10, ink))
    bottom = top + cell_height * len(scores)
    body.extend(_colour_bar(left + cell_width * len(column_labels) + 24, top,
                            max(bottom - top, 160.0), cutoffs, cutoff_labels))
    width = left + cell_width * len(column_labels) + 24 + 18 + 8 + max(
        [_text_width(label, 10) for label in cutoff_labels] + [0.0]) + 40
    return _svg(width, max(bottom, top + 160.0) + 12, body)


def _colour_bar(x: float, top: float, height: float, cutoffs: Sequence[float],
                labels: Sequence[str]) -> list[str]:
    """A vertical bar from 100 (top) to 0, with a tick and a label at each cutoff."""
    stops = "".join(f'<stop offset="{k / (len(RED_YELLOW_GREEN) - 1):.3f}" stop-color="{colour}"/>'
                    for k, colour in enumerate(reversed(RED_YELLOW_GREEN)))
    body = [f'<defs><linearGradient id="heat-scale" x1="0" y1="0" x2="0" y2="1">{stops}'
            "</linearGradient></defs>",
            f'<rect x="{x:.1f}" y="{top:.1f}" width="18" height="{height:.1f}" fill="url(#heat-scale)" '
            'stroke="#888888" stroke-width="0.8"/>']
    for cutoff, label in zip(cutoffs, labels):
        y = top + height * (1 - max(0.0, min(100.0, cutoff)) / 100.0)
        body.append(f'<line x1="{x + 18:.1f}" y1="{y:.1f}" x2="{x + 23:.1f}" y2="{y:.1f}" stroke="#555555"/>')
        body.append(_text(x + 26, y + 4, f"{cutoff:g} {label}", "start", 10, "#333333"))
    return body
