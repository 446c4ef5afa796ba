"""Trend charts for ``vigil trends --plot``: PNG through matplotlib (Agg), or one self-contained HTML file.

The HTML file is an inline SVG (a line per series, a tooltip per point) with a few lines of inline script
to show or hide a series from its legend entry; it loads nothing from the network.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from vigil.errors import VigilError
from vigil.search.store import TrendSeries

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf")
WIDTH, HEIGHT = 800, 360
LEFT, RIGHT, TOP, BOTTOM = 60, 170, 40, 40


class PlotError(VigilError):
    """A chart could not be written (unknown file type, unwritable path)."""


def write_plot(series: list[TrendSeries], path: Path, *, title: str, normalised: bool) -> None:
    """Write ``series`` to ``path``: ``.png`` (matplotlib) or ``.html`` (inline SVG)."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".png":
            write_png(series, path, title=title, normalised=normalised)
        elif suffix in (".html", ".htm"):
            path.write_text(render_html(series, title=title, normalised=normalised), encoding="utf-8")
        else:
            raise PlotError(f"--plot must name a .png or .html file, not {path.name!r}")
    except OSError as exc:
        raise PlotError(f"cannot write {path}: {exc.strerror or exc}") from exc


def _label(normalised: bool) -> str:
    return "share of all articles" if normalised else "articles"


def write_png(series: list[TrendSeries], path: Path, *, title: str, normalised: bool) -> None:
    """A line chart as PNG (Agg canvas, no global pyplot state, no display needed)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH / 100, HEIGHT / 100), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for i, s in enumerate(series):
        xs: list[Any] = [p.bucket for p in s.points]
        ys = [p.value for p in s.points]
        ax.plot(xs, ys, label=s.key, color=PALETTE[i % len(PALETTE)], marker="o" if len(xs) <= 40 else None)
    ax.set_title(title)
    ax.set_ylabel(_label(normalised))
    ax.set_ylim(bottom=0)
    if len(series) > 1:
        ax.legend(loc="upper left", fontsize="small")
    fig.autofmt_xdate()
    fig.savefig(path, format="png", metadata={"Software": None})


def _fmt(value: float) -> str:
    return f"{value:.4g}"


def render_html(series: list[TrendSeries], *, title: str, normalised: bool) -> str:
    """A complete HTML page with the chart as inline SVG (deterministic: same input, same bytes)."""
    buckets = sorted({p.bucket for s in series for p in s.points})
    index = {b: i for i, b in enumerate(buckets)}
    top = max((p.value for s in series for p in s.points), default=0.0) or 1.0
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i: int) -> float:
        return round(LEFT + (plot_w / 2 if len(buckets) == 1 else i * plot_w / (len(buckets) - 1)), 1)

    def y(v: float) -> float:
        return round(TOP + plot_h * (1 - v / top), 1)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}">',
        f'<text x="{LEFT}" y="20" class="title">{escape(title)}</text>',
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" y2="{TOP + plot_h}" class="axis"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" class="axis"/>',
        f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end">{_fmt(top)}</text>',
        f'<text x="{LEFT - 6}" y="{TOP + plot_h + 4}" text-anchor="end">0</text>',
        f'<text x="14" y="{TOP + plot_h / 2}" transform="rotate(-90 14 {TOP + plot_h / 2})" '
        f'text-anchor="middle">{_label(normalised)}</text>',
    ]
    if buckets:
        parts.append(f'<text x="{x(0)}" y="{HEIGHT - 14}" text-anchor="start">{buckets[0].isoformat()}</text>')
        if len(buckets) > 1:
            parts.append(f'<text x="{x(len(buckets) - 1)}" y="{HEIGHT - 14}" text-anchor="end">'
                         f'{buckets[-1].isoformat()}</text>')
    for n, s in enumerate(series):
        color = PALETTE[n % len(PALETTE)]
        key = escape(s.key)
        points = " ".join(f"{x(index[p.bucket])},{y(p.value)}" for p in s.points)
        parts.append(f'<g class="series" data-series="{n}" stroke="{color}" fill="{color}">')
        parts.append(f'<polyline points="{points}" fill="none" stroke-width="2"/>')
        for p in s.points:
            detail = f"{p.count} of {p.total}" if normalised else str(p.count)
            parts.append(f'<circle cx="{x(index[p.bucket])}" cy="{y(p.value)}" r="3"><title>{key} '
                         f'{p.bucket.isoformat()}: {escape(detail)}</title></circle>')
        parts.append("</g>")
        ly = TOP + 16 * n
        parts.append(f'<g class="legend" data-series="{n}"><rect x="{WIDTH - RIGHT + 16}" y="{ly}" width="10" '
                     f'height="10" fill="{color}"/><text x="{WIDTH - RIGHT + 32}" y="{ly + 9}">{key}</text></g>')
    parts.append("</svg>")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{escape(title)}</title><style>"
        "body{font-family:sans-serif;margin:1rem}svg text{font-size:12px;fill:#222;stroke:none}"
        "svg .title{font-size:14px;font-weight:bold}.axis{stroke:#444}.legend{cursor:pointer}"
        ".off{opacity:.15}</style></head><body>\n" + "\n".join(parts) + "\n<script>"
        "document.querySelectorAll('.legend').forEach(function(l){l.addEventListener('click',function(){"
        "var g=document.querySelector('.series[data-series=\"'+l.dataset.series+'\"]');"
        "g.classList.toggle('off');l.classList.toggle('off');});});"
        "</script></body></html>\n")
