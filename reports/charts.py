"""Charts as inline SVG, built on the server: no JavaScript library, nothing the Content Security Policy forbids
(presentation attributes only, no ``style``), readable by screen readers (``<title>``, ``<desc>`` and a table beside
it in the page). Also the dashboard's two large tables (heatmap, children), as HTML: a province has a hundred rows,
and the template language costs tens of milliseconds for them."""

import datetime
import html
import math
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from cells.text import format_number
from reports.periods import month_label

WIDTH, HEIGHT = 600, 270
LEFT, RIGHT, TOP, BOTTOM = 50, 54, 14, 44
BAR_FILL = "#7da7d9"
DUE_STROKE = "#7da7d9"
LINE = "#1b365d"
GRID = "#dee2e6"
INK = "#343a40"


def nice_ceiling(value: float) -> int:
    """The top of the count axis: 1, 2 or 4 for small counts (a single cell's month holds one or two meetings, so its
    bars reach the top; gridlines between integers carry no label), else the smallest of 1, 2, 2.5, 4, 5 × 10^k at
    or above ``value`` rounded up to a multiple of 4, so the four gridlines fall on integers."""
    for small in (1, 2, 4):
        if value <= small:
            return small
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 4, 5, 10):
        if step * power >= value:
            ceiling = int(step * power)
            return ceiling if ceiling % 4 == 0 else ceiling + (4 - ceiling % 4)
    return int(10 * power)  # unreachable


def percent(rate: float | None, decimals: int = 0) -> str:
    """ "87,5 %" style, with the active language's decimal separator; "—" without a value."""
    if rate is None:
        return "—"
    return f"{format_number(round(rate * 100, decimals), decimals)}%"  # rounded, as {% widthratio %} does


def _text(x: float, y: float, content: str, *, anchor: str = "middle", size: int = 13, extra: str = "") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="{INK}"{extra}>'
        f"{escape(content)}</text>"
    )


def trend_svg(
    months: Sequence[datetime.date],
    held: Sequence[int],
    due: Sequence[int],
    rates: Sequence[float | None],
    *,
    title: str,
    description: str,
    id_prefix: str = "trend",
) -> SafeString:
    """Bars: regular meetings held per month (outlined: those due); line: the attendance rate (right axis, 0–100 %).
    The legend is left to the page (HTML wraps on a phone; text in an SVG does not)."""
    count = len(months)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(count, 1)
    top_count = nice_ceiling(max([*held, *due, 0]))
    base_y = TOP + plot_h

    def y_count(value: float) -> float:
        return base_y - plot_h * value / top_count

    def y_rate(rate: float) -> float:
        return base_y - plot_h * rate

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{id_prefix}-title {id_prefix}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{id_prefix}-title">{escape(title)}</title>',
        f'<desc id="{id_prefix}-desc">{escape(description)}</desc>',
    ]
    # Gridlines with both axes' labels: counts on the left, percentages on the right.
    for step in range(5):
        value = top_count * step / 4
        y = y_count(value)
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="{GRID}" stroke-width="1"/>'
        )
        if float(value).is_integer():
            parts.append(_text(LEFT - 6, y + 4, format_number(value, 0), anchor="end", size=12))
        parts.append(_text(WIDTH - RIGHT + 6, y + 4, f"{step * 25}%", anchor="start", size=12))
    parts.append(
        _text(
            14,
            TOP + plot_h / 2,
            _("Số buổi sinh hoạt định kỳ"),
            size=12,
            extra=f' transform="rotate(-90 14 {TOP + plot_h / 2:.1f})"',
        )
    )
    parts.append(
        _text(
            WIDTH - 12,
            TOP + plot_h / 2,
            _("Tỷ lệ dự họp"),
            size=12,
            extra=f' transform="rotate(90 {WIDTH - 12} {TOP + plot_h / 2:.1f})"',
        )
    )
    # Bars: the outline is what was due, the filled part what was held.
    bar_w = slot * 0.56
    for index, month in enumerate(months):
        x = LEFT + slot * index + (slot - bar_w) / 2
        if due[index]:
            y = y_count(due[index])
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{base_y - y:.1f}" fill="none" '
                f'stroke="{DUE_STROKE}" stroke-width="1.5" stroke-dasharray="4 2"/>'
            )
        if held[index]:
            y = y_count(held[index])
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{base_y - y:.1f}" fill="{BAR_FILL}"/>'
            )
        label_x = LEFT + slot * index + slot / 2
        parts.append(_text(label_x, base_y + 17, _("T{month}").format(month=month.month), size=12))
        if index == 0 or month.month == 1:
            parts.append(_text(label_x, base_y + 33, str(month.year), size=11))
    parts.append(
        f'<line x1="{LEFT}" y1="{base_y}" x2="{WIDTH - RIGHT}" y2="{base_y}" stroke="{INK}" stroke-width="1"/>'
    )
    # The attendance line, broken where a month has no meeting.
    segment: list[str] = []
    segments: list[list[str]] = []
    dots = []
    for index, rate in enumerate(rates):
        if rate is None:
            if segment:
                segments.append(segment)
            segment = []
            continue
        x, y = LEFT + slot * index + slot / 2, y_rate(rate)
        segment.append(f"{x:.1f},{y:.1f}")
        dots.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{LINE}"/>')
    if segment:
        segments.append(segment)
    for points in segments:
        parts.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="{LINE}" stroke-width="2.5"/>')
    parts.extend(dots)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text above is escaped


def trend_chart(points, *, id_prefix: str = "trend") -> SafeString:
    """The dashboard's trend (``reports.dashboard.TrendPoint``, the 12 months ending with the period's last): regular
    meetings held and due, and the attendance rate, titled and described for screen readers. The page and the
    compliance report's PDF draw the same chart."""
    first, last = points[0].month, points[-1].month
    title = _("Sinh hoạt định kỳ và tỷ lệ dự họp, {start} đến {end}").format(
        start=month_label(first), end=month_label(last)
    )
    described = [
        _("{month}: {held}/{due} buổi, dự họp {rate}").format(
            month=month_label(p.month), held=p.held, due=p.due, rate=percent(p.attendance_rate)
        )
        for p in points
        if p.due or p.held
    ]
    description = "; ".join(described) or _("Chưa có số liệu trong 12 tháng này.")
    return trend_svg(
        [p.month for p in points],
        [p.held for p in points],
        [p.due for p in points],
        [p.attendance_rate for p in points],
        title=title,
        description=description,
        id_prefix=id_prefix,
    )


def heatmap_body(rows) -> SafeString:
    """The heatmap's ``<tbody>`` rows (``reports.dashboard.HeatRow``, with links added by the view), built here rather
    than in the template: a province is a hundred rows of twelve squares. A square is a link (to its meeting, or to
    the dashboard below) coloured by class, with a glyph or a percentage so that colour is never the only signal, a
    tooltip, and the same text for screen readers."""
    glyphs = {"pass": "✓", "fail": "✗", "na": "–"}
    parts = []
    for row in rows:
        name = html.escape(row.name)
        parts.append(f'<tr><th scope="row"><a href="{html.escape(row.href)}" title="{name}">{name}</a></th>')
        for square in row.squares:
            title = html.escape(square.title)
            hidden = f'<span class="visually-hidden">{title}</span>'
            if not square.href:
                parts.append(f'<td><span class="hm hm-none" title="{title}">{hidden}</span></td>')
                continue
            if square.status == "share":
                css, glyph = f"hm-share-{square.share_step}", str(round(square.share * 100))
            else:
                css, glyph = f"hm-{square.status}", glyphs.get(square.status, "")
            parts.append(
                f'<td><a class="hm {css}" href="{html.escape(square.href)}" title="{title}" '
                f'data-month="{square.month:%Y-%m}" data-status="{square.status}">'
                f'<span aria-hidden="true">{glyph}</span>{hidden}</a></td>'
            )
        parts.append("</tr>")
    return mark_safe("".join(parts))  # every text above is escaped


def children_body(rows, *, no_data: str) -> SafeString:
    """The children table's ``<tbody>`` rows (``reports.dashboard.ChildRow``, with ``href`` and ``texts`` added by the
    view), built here for the same reason as the heatmap: a province has a hundred communes."""
    columns = ("attendance", "length", "speakers", "thematic", "visits")
    parts = []
    for row in rows:
        name = html.escape(row.organization.name)
        parts.append(
            f'<tr><th scope="row" class="sticky-col fw-normal"><a href="{html.escape(row.href)}">{name}</a></th>'
        )
        if row.figures.is_empty:
            # Visits are counted from the meetings, not the findings: shown even without findings.
            visits = html.escape(row.texts.get("visits", "—"))
            parts.append(f'<td colspan="6" class="text-secondary">{html.escape(no_data)}</td>')
            parts.append(f'<td class="text-end">{visits}</td></tr>')
            continue
        texts = {key: html.escape(value) for key, value in row.texts.items()}
        rate = f'<span class="text-secondary small">({texts["months_ok"]})</span>'
        parts.append(
            f'<td class="text-end">{texts["months_rate"]} {rate}</td><td class="text-end">{texts["held"]}</td>'
        )
        parts.extend(f'<td class="text-end">{texts.get(key, "—")}</td>' for key in columns)
        parts.append("</tr>")
    return mark_safe("".join(parts))  # every text above is escaped
