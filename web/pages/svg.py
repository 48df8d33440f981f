"""Small pictures drawn on the server as inline SVG: a sparkline for an indicator's recent
weeks, and a worker's trajectory as a timeline whose overlapping spells sit side by side in
lanes.

No script and no ``style`` attribute (the CSP forbids both): shapes carry classes and SVG
presentation attributes only, and every number is computed here. Every text that goes in is
escaped. Right-to-left pages get the timeline mirrored, so time runs the way the text does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from markupsafe import Markup, escape

LEVEL_MAX = 4


def _n(x: float) -> str:
    """A coordinate, short: 12.0 -> "12", 12.345 -> "12.3"."""
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


def sparkline(levels: Sequence[int], *, label: str, risk: bool = False, width: int = 96,
              height: int = 28) -> Markup:
    """A polyline of levels 0..4, oldest first, with a dot on the latest week.

    ``label`` is read out instead of the picture (the trend in words)."""
    pad = 3.0
    n = len(levels)
    if n == 0:
        return Markup("")
    step = (width - 2 * pad) / max(1, n - 1)

    def y(level: int) -> float:
        level = max(0, min(LEVEL_MAX, int(level)))
        return height - pad - level * (height - 2 * pad) / LEVEL_MAX

    points = [(pad + i * step if n > 1 else width / 2, y(v)) for i, v in enumerate(levels)]
    path = " ".join(f"{_n(px)},{_n(py)}" for px, py in points)
    last_x, last_y = points[-1]
    cls = "spark risk" if risk else "spark"
    return Markup(  # noqa: S704 - numbers, and the label escaped
        f'<svg class="{cls}" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(label)}" focusable="false">'
        f'<path class="base" d="M{_n(pad)} {_n(height - pad)}H{_n(width - pad)}"/>'
        f'<polyline points="{path}" fill="none" stroke-width="2" stroke-linejoin="round" '
        f'stroke-linecap="round"/>'
        f'<circle cx="{_n(last_x)}" cy="{_n(last_y)}" r="3"/></svg>'
    )


@dataclass(frozen=True)
class Bar:
    """One spell to draw: its words are already in the reader's language."""

    key: str
    label: str  # short: the sector
    title: str  # the whole sentence, read out and shown on long press
    start: date
    end: date | None  # None: still going
    paid: bool


def _span_end(bar: Bar, today: date) -> date:
    # A spell that ends the day another starts does not overlap it (half-open days), and a
    # one-day spell still covers its day.
    end = bar.end if bar.end is not None else max(today, bar.start)
    return max(end, bar.start + timedelta(days=1))


def lanes(bars: Sequence[Bar], today: date) -> list[list[Bar]]:
    """Bars in lanes: each bar goes in the first lane free at its start, so bars that share
    a day never share a lane and overlapping work shows side by side."""
    out: list[list[Bar]] = []
    ends: list[date] = []
    for bar in sorted(bars, key=lambda b: (b.start, b.key)):
        for i, end in enumerate(ends):
            if end <= bar.start:
                out[i].append(bar)
                ends[i] = _span_end(bar, today)
                break
        else:
            out.append([bar])
            ends.append(_span_end(bar, today))
    return out


def timeline(bars: Sequence[Bar], *, today: date, label: str, rtl: bool = False,
             width: int = 320, lane_height: int = 30) -> Markup:
    """The trajectory: one lane per row of work done at the same time, years marked."""
    if not bars:
        return Markup("")
    rows = lanes(bars, today)
    first = min(b.start for b in bars)
    start = date(first.year, 1, 1) if first.month <= 2 else date(first.year, first.month, 1)
    last = max(_span_end(b, today) for b in bars)
    end = max(last, start + timedelta(days=90))
    days = (end - start).days or 1
    axis = 18
    height = axis + lane_height * len(rows) + 4
    scale = (width - 8) / days

    def x(d: date) -> float:
        pos = 4 + (d - start).days * scale
        return width - pos if rtl else pos

    parts = [f'<svg class="trajectory" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(label)}" focusable="false">']
    year = start.year + (0 if start == date(start.year, 1, 1) else 1)
    while date(year, 1, 1) <= end:
        tx = x(date(year, 1, 1))
        parts.append(f'<path class="tick" d="M{_n(tx)} {axis - 4}V{height}"/>'
                     f'<text class="year" x="{_n(tx + (-3 if rtl else 3))}" y="12">{year}</text>')
        year += 1
    for lane, row in enumerate(rows):
        top = axis + lane * lane_height
        for bar in row:
            x0, x1 = sorted((x(bar.start), x(_span_end(bar, today))))
            w = max(x1 - x0, 3.0)
            cls = "bar" if bar.paid else "bar unpaid"
            if bar.end is None:
                cls += " open"
            clip = f"tl-{escape(bar.key)}"
            text_x = x0 + w - 4 if rtl else x0 + 4
            parts.append(
                f'<g class="{cls}"><title>{escape(bar.title)}</title>'
                f'<clipPath id="{clip}"><rect x="{_n(x0)}" y="{top}" width="{_n(w)}" '
                f'height="{lane_height - 6}"/></clipPath>'
                f'<rect x="{_n(x0)}" y="{top}" width="{_n(w)}" height="{lane_height - 6}" rx="4"/>'
                f'<text x="{_n(text_x)}" y="{top + lane_height - 12}" '
                f'clip-path="url(#{clip})">{escape(bar.label)}</text></g>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - numbers, and every text escaped


@dataclass(frozen=True)
class GridCell:
    """One cell of a transition matrix: ``text`` already formatted in the reader's digits
    (or a mark for a suppressed cell), ``shade`` 0 (none) to 5 (the most), ``title`` the
    sentence read on long press."""

    text: str
    shade: int
    title: str
    suppressed: bool = False


LABEL_CHARS = 24  # longer sector names are cut with "…" (the table beside gives them whole)
CHAR_WIDTH = 7.0  # an estimate for 12px text, generous for Latin, Devanagari and Bengali


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[:LABEL_CHARS - 1].rstrip(" ,") + "…"


def heat_grid(rows: Sequence[str], cells: dict[tuple[int, int], GridCell], *, label: str,
              rtl: bool = False, cell: int = 44) -> Markup:
    """A square transition matrix: row ``i`` (from) by column ``j`` (to), labels ``rows``
    on both axes (column labels slanted), each cell shaded by how many moved. Cells missing
    from ``cells`` are empty; the diagonal is marked as not applying.

    Drawn for a scrolling box: it keeps its size rather than shrinking to a phone's width."""
    n = len(rows)
    if n == 0:
        return Markup("")
    names = [_short(r) for r in rows]
    longest = max(len(t) for t in names) * CHAR_WIDTH
    label_width = int(longest) + 12
    head = int(longest * 0.87) + 14  # column labels rise at 60 degrees
    tail = int(longest * 0.5)  # ... and lean past the last column
    width = label_width + n * cell + tail
    height = head + n * cell + 4

    def x(col: int) -> float:  # the left edge of a column, mirrored for right-to-left
        pos = label_width + col * cell
        return width - pos - cell if rtl else pos

    parts = [f'<svg class="heat" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             f'role="img" aria-label="{escape(label)}" focusable="false">']
    for j, name in enumerate(names):  # column labels, slanted up and away from the grid
        cx = x(j) + cell / 2
        angle = 60 if rtl else -60
        # "start" and "end" follow the page's direction: in Arabic the start is the right.
        parts.append(f'<text class="col" x="{_n(cx)}" y="{head - 6}" text-anchor="start" '
                     f'transform="rotate({angle} {_n(cx)} {head - 6})">{escape(name)}</text>')
    for i, name in enumerate(names):
        top = head + i * cell
        lx = width - label_width + 6 if rtl else label_width - 6
        parts.append(f'<text class="row" x="{_n(lx)}" y="{top + cell / 2 + 4:.0f}" '
                     'text-anchor="end">' f'{escape(name)}</text>')
        for j in range(n):
            left = x(j)
            if i == j:
                parts.append(f'<rect class="diag" x="{_n(left + 1)}" y="{top + 1}" '
                             f'width="{cell - 2}" height="{cell - 2}"/>')
                continue
            found = cells.get((i, j))
            if found is None:
                parts.append(f'<rect class="h0" x="{_n(left + 1)}" y="{top + 1}" '
                             f'width="{cell - 2}" height="{cell - 2}"/>')
                continue
            cls = "sup" if found.suppressed else f"h{max(0, min(5, found.shade))}"
            parts.append(
                f'<g class="{cls}"><title>{escape(found.title)}</title>'
                f'<rect x="{_n(left + 1)}" y="{top + 1}" width="{cell - 2}" height="{cell - 2}" rx="3"/>'
                f'<text x="{_n(left + cell / 2)}" y="{top + cell / 2 + 4:.0f}" '
                f'text-anchor="middle">{escape(found.text)}</text></g>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - numbers, and every text escaped
