"""Charts drawn on the server as SVG (no JavaScript): horizontal bars and stacked bars, labelled for screen
readers (role="img", <title>, and the figures as text beside each bar)."""

from __future__ import annotations

from markupsafe import Markup, escape

ROW = 26
LABEL_W = 190  # the narrowest label column; wider when a label needs it (up to MAX_LABEL_W)
MAX_LABEL_W = 360
BAR_W = 300
COLORS = ("#2b6cb0", "#c53030", "#a0aec0", "#2f855a", "#b7791f")


def _label_width(labels: list[str]) -> int:
    """Room for the longest label at the chart's 13 px font: a CJK character is about 13 px wide, a Latin
    one about 7 (so "按期出具合法性审查意见（R11）" is not cut off at the left edge)."""
    need = max((sum(13 if ord(ch) > 0x2E80 else 7 for ch in label) for label in labels), default=0) + 12
    return max(LABEL_W, min(MAX_LABEL_W, need))


def bars(title: str, items: list[tuple[str, int]]) -> Markup:
    """One bar per item, scaled to the largest value."""
    label_w = _label_width([label for label, _ in items])  # the default, widened
    top = max((v for _, v in items), default=0) or 1
    height = ROW * max(len(items), 1) + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{label_w + BAR_W + 60}" '
             f'height="{height}" viewBox="0 0 {label_w + BAR_W + 60} {height}"><title>{escape(title)}</title>']
    for i, (label, value) in enumerate(items):
        y = 5 + i * ROW
        w = round(BAR_W * value / top)
        parts.append(f'<text x="{label_w - 6}" y="{y + 16}" text-anchor="end">{escape(label)}</text>'
                     f'<rect x="{label_w}" y="{y + 3}" width="{w}" height="{ROW - 8}" fill="{COLORS[0]}"/>'
                     f'<text x="{label_w + w + 6}" y="{y + 16}">{value}</text>')
    if not items:
        parts.append(f'<text x="{label_w}" y="20">—</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def stacked(title: str, rows: list[tuple[str, list[int]]], series: list[str]) -> Markup:
    """One bar per row, split into series (e.g. on time / late / pending), with a legend."""
    label_w = _label_width([label for label, _ in rows])  # the default, widened
    top = max((sum(vs) for _, vs in rows), default=0) or 1
    height = ROW * (len(rows) + 1) + 10
    width = label_w + BAR_W + 80
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}"><title>{escape(title)}</title>']
    for i, (label, values) in enumerate(rows):
        y = 5 + i * ROW
        x = label_w
        parts.append(f'<text x="{label_w - 6}" y="{y + 16}" text-anchor="end">{escape(label)}</text>')
        for j, v in enumerate(values):
            w = round(BAR_W * v / top)
            if w:
                parts.append(f'<rect x="{x}" y="{y + 3}" width="{w}" height="{ROW - 8}" '
                             f'fill="{COLORS[j % len(COLORS)]}"><title>{escape(series[j])}: {v}</title></rect>')
            x += w
        parts.append(f'<text x="{x + 6}" y="{y + 16}">{" / ".join(str(v) for v in values)}</text>')
    y = 5 + len(rows) * ROW
    x = label_w
    for j, name in enumerate(series):
        parts.append(f'<rect x="{x}" y="{y + 6}" width="12" height="12" fill="{COLORS[j % len(COLORS)]}"/>'
                     f'<text x="{x + 16}" y="{y + 16}">{escape(name)}</text>')
        x += 100
    parts.append("</svg>")
    return Markup("".join(parts))
