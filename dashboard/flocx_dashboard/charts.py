"""Small inline SVG charts, rendered on the server.

No JavaScript, no CDN: the Market panel embeds the returned markup. Every
text that comes from an API is escaped.
"""
import datetime
import math

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from flocx_dashboard import utils

PALETTE = ('#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd',
           '#8c564b', '#e377c2', '#17becf')
FONT = 'font-family="Helvetica,Arial,sans-serif" font-size="11"'


def _num(value):
    return f'{value:.1f}'


def _fmt_tick(value):
    return f'{value:.2f}' if value < 1000 else f'{value:.0f}'


def _nice_max(value):
    if value <= 0:
        return 1.0
    step = 10 ** (len(str(int(value))) - 1)
    for mult in (1, 2, 2.5, 5, 10):
        if value <= mult * step:
            return float(mult * step)
    return float(value)


def _nice_ceiling(value):
    """The axis end for ``value``: 1, 2, 2.5 or 5 times a power of ten,
    small amounts too (0.03 -> 0.05; _nice_max makes 1 of it)."""
    if value <= 0:
        return 1.0
    step = 10.0 ** math.floor(math.log10(value))
    for mult in (1, 2, 2.5, 5, 10):
        if value <= mult * step * (1 + 1e-9):
            return mult * step
    return float(value)


def price_history(points, width=640, height=260):
    """Clearing price per resource class over time, one line per class.

    ``points``: [{"resource_class", "time" (datetime), "price"}], prices as
    the API gave them (drawn as floats, labelled exactly).
    Returns SVG markup, or '' when there is nothing to draw.
    """
    if not points:
        return ''
    left, right, top, bottom = 60, 150, 20, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    times = [p['time'].timestamp() for p in points]
    t0, t1 = min(times), max(times)
    if t1 == t0:
        t0, t1 = t0 - 1800, t1 + 1800
    y_max = _nice_max(max(float(p['price']) for p in points) * 1.1)

    def x(t):
        return left + (t - t0) / (t1 - t0) * plot_w

    def y(price):
        return top + plot_h - float(price) / y_max * plot_h

    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" class="flocx-chart" '
              f'id="flocx-price-chart" role="img" width="{width}" '
              f'height="{height}" viewBox="0 0 {width} {height}" {FONT}>'),
             '<title>Clearing prices per node-hour over time</title>']
    for i in range(5):
        value = y_max * i / 4
        yy = _num(y(value))
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{yy}" '
                     f'y2="{yy}" stroke="#e5e5e5"/>')
        parts.append(f'<text x="{left - 6}" y="{yy}" text-anchor="end" '
                     f'dominant-baseline="middle">{_fmt_tick(value)}</text>')
    for i in range(3):
        t = t0 + (t1 - t0) * i / 2
        label = datetime.datetime.fromtimestamp(
            t, datetime.timezone.utc).strftime('%m-%d %H:%M')
        parts.append(f'<text x="{_num(x(t))}" y="{height - bottom + 16}" '
                     f'text-anchor="middle">{label}</text>')
    parts.append(f'<line x1="{left}" x2="{left}" y1="{top}" '
                 f'y2="{top + plot_h}" stroke="#999"/>')
    parts.append(f'<line x1="{left}" x2="{left + plot_w}" '
                 f'y1="{top + plot_h}" y2="{top + plot_h}" stroke="#999"/>')
    parts.append(f'<text x="12" y="{top + plot_h / 2}" text-anchor="middle" '
                 f'transform="rotate(-90 12 {top + plot_h / 2})">'
                 'price / node-hour</text>')
    classes = sorted({p['resource_class'] for p in points})
    for n, rc in enumerate(classes):
        color = PALETTE[n % len(PALETTE)]
        series = sorted((p for p in points if p['resource_class'] == rc),
                        key=lambda p: p['time'])
        coords = ' '.join(f'{_num(x(p["time"].timestamp()))},'
                          f'{_num(y(p["price"]))}' for p in series)
        if len(series) > 1:
            parts.append(f'<polyline fill="none" stroke="{color}" '
                         f'stroke-width="2" points="{coords}"/>')
        for p in series:
            parts.append(
                f'<circle class="flocx-price-point" cx="'
                f'{_num(x(p["time"].timestamp()))}" cy="{_num(y(p["price"]))}"'
                f' r="3.5" fill="{color}"><title>{escape(rc)}: '
                f'{utils.format_price(p["price"])} at '
                f'{p["time"].strftime("%Y-%m-%d %H:%M")} UTC</title>'
                '</circle>')
        ly = top + 6 + n * 18
        parts.append(f'<rect x="{width - right + 14}" y="{ly - 5}" '
                     f'width="10" height="10" fill="{color}"/>')
        parts.append(f'<text x="{width - right + 30}" y="{ly}" '
                     f'dominant-baseline="middle">{escape(rc)} '
                     f'({utils.format_price(series[-1]["price"])})</text>')
    parts.append('</svg>')
    return mark_safe(''.join(parts))


def market_depth(depth, width=640, bar_height=14):
    """Nodes on offer (and wanted, when known) per resource class.

    ``depth``: the auction's [{"resource_class", "nodes_on_offer",
    "nodes_wanted" (None when unknown), "lowest_ask"}].
    """
    if not depth:
        return ''
    left, right, top = 130, 150, 24
    row_h = bar_height * 2 + 14
    height = top + row_h * len(depth) + 10
    plot_w = width - left - right
    x_max = _nice_max(max(max(r.get('nodes_on_offer') or 0,
                              r.get('nodes_wanted') or 0) for r in depth))
    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" class="flocx-chart" '
              f'id="flocx-depth-chart" role="img" width="{width}" '
              f'height="{height}" viewBox="0 0 {width} {height}" {FONT}>'),
             '<title>Market depth: nodes on offer and nodes wanted</title>',
             (f'<rect x="{left}" y="4" width="10" height="10" '
              f'fill="{PALETTE[0]}"/><text x="{left + 14}" y="9" '
              'dominant-baseline="middle">nodes on offer</text>'),
             (f'<rect x="{left + 120}" y="4" width="10" height="10" '
              f'fill="{PALETTE[3]}"/><text x="{left + 134}" y="9" '
              'dominant-baseline="middle">nodes wanted</text>')]
    for n, row in enumerate(depth):
        y0 = top + n * row_h
        parts.append(f'<text x="{left - 8}" y="{y0 + bar_height}" '
                     f'text-anchor="end" dominant-baseline="middle">'
                     f'{escape(row["resource_class"])}</text>')
        for k, (key, color) in enumerate((('nodes_on_offer', PALETTE[0]),
                                          ('nodes_wanted', PALETTE[3]))):
            value = row.get(key)
            yy = y0 + k * (bar_height + 2)
            if value is None:
                parts.append(f'<text x="{left + 4}" y="{yy + bar_height / 2}"'
                             ' dominant-baseline="middle" fill="#777">'
                             'unknown (bids are sealed)</text>')
                continue
            w = _num(max(value / x_max * plot_w, 1 if value else 0))
            parts.append(f'<rect class="flocx-depth-{key}" x="{left}" '
                         f'y="{yy}" width="{w}" height="{bar_height}" '
                         f'fill="{color}"><title>{escape(row["resource_class"])}'
                         f': {value} {key.replace("_", " ")}</title></rect>')
            parts.append(f'<text x="{left + float(w) + 4}" '
                         f'y="{yy + bar_height / 2}" '
                         f'dominant-baseline="middle">{value}</text>')
        ask = row.get('lowest_ask')
        if ask is not None:
            parts.append(f'<text x="{width - right + 14}" y="{y0 + bar_height}"'
                         f' dominant-baseline="middle">lowest ask '
                         f'{utils.format_price(ask)}</text>')
    parts.append('</svg>')
    return mark_safe(''.join(parts))


def _utc(value):
    """An API time (ISO 8601, UTC) as an aware datetime."""
    if isinstance(value, datetime.datetime):
        return value
    text = str(value)
    if text.endswith('Z'):
        text = text[:-1] + '+00:00'
    value = datetime.datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(
        tzinfo=datetime.timezone.utc)


def booking_timeline(availability, now=None, width=760, height=120):
    """An offer's window on a time axis: what of its node is booked by
    which contract, the cleaning gap after each, and what is still free.

    ``availability``: the market's GET /v1/offers/{uuid}/availability.
    Returns SVG markup.
    """
    now = now or datetime.datetime.now(datetime.timezone.utc)
    start, end = _utc(availability['start_time']), _utc(
        availability['end_time'])
    booked = [{'contract': b['contract_uuid'], 'status': b['status'],
               'start': _utc(b['start_time']), 'end': _utc(b['end_time']),
               'until': _utc(b['booked_until'])}
              for b in availability.get('booked', [])]
    free = [(_utc(s), _utc(e)) for s, e in availability.get('free', [])]
    t0 = min([start] + [b['start'] for b in booked]).timestamp()
    t1 = max([end] + [b['until'] for b in booked]).timestamp()
    t1 = max(t1, t0 + 60)
    left, right, top, bar = 10, 10, 24, 34

    def x(t):
        return left + (t.timestamp() - t0) / (t1 - t0) * (width - left
                                                           - right)

    def span(cls, a, b, y, h, fill, title):
        w = max(x(b) - x(a), 1)
        return (f'<rect class="{cls}" x="{_num(x(a))}" y="{y}" '
                f'width="{_num(w)}" height="{h}" fill="{fill}">'
                f'<title>{escape(title)}</title></rect>')

    def when(t):
        return t.strftime('%Y-%m-%d %H:%M')

    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" class="flocx-chart" '
              f'id="flocx-availability-chart" role="img" width="{width}" '
              f'height="{height}" viewBox="0 0 {width} {height}" {FONT}>'),
             '<title>Booked and free time of the offer\'s node (UTC)'
             '</title>',
             span('flocx-window', start, end, top, bar, '#eeeeee',
                  f'offered {when(start)} to {when(end)} UTC')]
    for a, b in free:
        parts.append(span('flocx-free', a, b, top, bar, PALETTE[2],
                          f'free {when(a)} to {when(b)} UTC'))
    for b in booked:
        parts.append(span(
            'flocx-booked', b['start'], b['end'], top, bar, PALETTE[1],
            f'contract {b["contract"][:8]} ({b["status"]}): '
            f'{when(b["start"])} to {when(b["end"])} UTC'))
        if b['until'] > b['end']:
            parts.append(span(
                'flocx-cleaning', b['end'], b['until'], top, bar, PALETTE[3],
                f'cleaning after contract {b["contract"][:8]} until '
                f'{when(b["until"])} UTC'))
    if t0 <= now.timestamp() <= t1:
        nx = _num(x(now))
        parts.append(f'<line class="flocx-now" x1="{nx}" x2="{nx}" '
                     f'y1="{top - 6}" y2="{top + bar + 6}" stroke="#333" '
                     'stroke-dasharray="3,2"/>'
                     f'<text x="{nx}" y="{top - 9}" text-anchor="middle">'
                     'now</text>')
    for i, anchor in enumerate(('start', 'middle', 'end')):
        t = datetime.datetime.fromtimestamp(t0 + (t1 - t0) * i / 2,
                                            datetime.timezone.utc)
        parts.append(f'<text x="{_num(x(t))}" y="{top + bar + 18}" '
                     f'text-anchor="{anchor}">{t.strftime("%m-%d %H:%M")}'
                     '</text>')
    legend_y = height - 12
    for n, (label, color) in enumerate((('free', PALETTE[2]),
                                        ('booked', PALETTE[1]),
                                        ('cleaning', PALETTE[3]),
                                        ('not for sale', '#eeeeee'))):
        lx = left + n * 110
        parts.append(f'<rect x="{lx}" y="{legend_y - 5}" width="10" '
                     f'height="10" fill="{color}" stroke="#ccc"/>'
                     f'<text x="{lx + 14}" y="{legend_y}" '
                     f'dominant-baseline="middle">{label}</text>')
    parts.append('</svg>')
    return mark_safe(''.join(parts))


def paid_vs_earned(points, width=640, bar_height=12, limit=40):
    """What was paid for and earned on each contract of a statement, as
    two bars per contract.

    ``points``: [{"contract_uuid", "paid", "earned"}], amounts as exact
    Decimals (drawn as floats, labelled exactly); at most ``limit``
    contracts, the largest first. Returns SVG markup, or '' when there is
    nothing to draw.
    """
    points = sorted(points, key=lambda p: (-max(p['paid'], p['earned']),
                                           p['contract_uuid']))[:limit]
    if not points:
        return ''
    left, right, top = 90, 150, 24
    row_h = bar_height * 2 + 12
    height = top + row_h * len(points) + 10
    plot_w = width - left - right
    x_max = _nice_ceiling(max(float(max(p['paid'], p['earned'], 0))
                              for p in points))
    series = (('paid', _('paid'), PALETTE[1]),
              ('earned', _('earned'), PALETTE[2]))
    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" class="flocx-chart" '
              f'id="flocx-statement-chart" role="img" width="{width}" '
              f'height="{height}" viewBox="0 0 {width} {height}" {FONT}>'),
             '<title>Paid and earned per contract</title>']
    for k, (_key, label, color) in enumerate(series):
        lx = left + k * 120
        parts.append(f'<rect x="{lx}" y="4" width="10" height="10" '
                     f'fill="{color}"/><text x="{lx + 14}" y="9" '
                     f'dominant-baseline="middle">{escape(label)}</text>')
    for n, point in enumerate(points):
        y0 = top + n * row_h
        uuid = escape(point['contract_uuid'])
        parts.append(f'<text x="{left - 8}" y="{y0 + bar_height}" '
                     f'text-anchor="end" dominant-baseline="middle">'
                     f'{escape(point["contract_uuid"][:8])}</text>')
        for k, (key, label, color) in enumerate(series):
            value = point[key]
            yy = y0 + k * (bar_height + 2)
            w = _num(max(float(value) / x_max * plot_w, 1 if value else 0))
            amount = utils.format_price(value)
            parts.append(f'<rect class="flocx-statement-{key}" x="{left}" '
                         f'y="{yy}" width="{w}" height="{bar_height}" '
                         f'fill="{color}"><title>{uuid}: {escape(label)} '
                         f'{amount}</title></rect>')
            parts.append(f'<text x="{left + float(w) + 4}" '
                         f'y="{yy + bar_height / 2}" '
                         f'dominant-baseline="middle">{amount}</text>')
    parts.append('</svg>')
    return mark_safe(''.join(parts))


def paid_and_earned_by_day(days, start, end, width=760, height=240):
    """A statement's period day by day: what was paid (net of refunds,
    fees included) and what was earned, as two bars per day.

    ``days``: [{"date": date, "paid": Decimal, "earned": Decimal}], the
    days with charges (the API's ``days``, microversion 1.4); ``start``
    and ``end``: the period's first day and the day after its last. Every
    day of the period gets its place on the axis; a day of refunds only
    draws below the zero line. Returns SVG markup, or '' when no day has
    charges.
    """
    by_date = {d['date']: d for d in days}
    if not by_date:
        return ''
    dates = [start + datetime.timedelta(days=n)
             for n in range((end - start).days)]
    left, right, top, bottom = 60, 20, 24, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [float(d[k]) for d in by_date.values()
              for k in ('paid', 'earned')]
    y_max = _nice_ceiling(max(values + [0]))
    low = min(values + [0])
    y_min = -_nice_ceiling(-low) if low < 0 else 0.0
    span = y_max - y_min

    def y(value):
        return top + plot_h * (y_max - float(value)) / span

    slot = plot_w / len(dates)
    bar = max(1.0, slot / 2 - 1)
    series = (('paid', _('paid'), PALETTE[1]),
              ('earned', _('earned'), PALETTE[2]))
    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" class="flocx-chart" '
              f'id="flocx-statement-days-chart" role="img" width="{width}" '
              f'height="{height}" viewBox="0 0 {width} {height}" {FONT}>'),
             '<title>Paid and earned per day</title>']
    for k, (_key, label, color) in enumerate(series):
        lx = left + k * 120
        parts.append(f'<rect x="{lx}" y="4" width="10" height="10" '
                     f'fill="{color}"/><text x="{lx + 14}" y="9" '
                     f'dominant-baseline="middle">{escape(label)}</text>')
    for tick in (y_min, 0.0, y_max) if y_min < 0 else (0.0, y_max):
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" '
                     f'y1="{_num(y(tick))}" y2="{_num(y(tick))}" '
                     'stroke="#ccc"/>')
        parts.append(f'<text x="{left - 6}" y="{_num(y(tick))}" '
                     'text-anchor="end" dominant-baseline="middle">'
                     f'{_fmt_tick(tick)}</text>')
    for n, date in enumerate(dates):
        x0 = left + n * slot
        if date.day in (1, 8, 15, 22, 29) or n == len(dates) - 1:
            parts.append(f'<text x="{_num(x0 + slot / 2)}" '
                         f'y="{top + plot_h + 14}" text-anchor="middle">'
                         f'{date.day}</text>')
        day = by_date.get(date)
        if day is None:
            continue
        for k, (key, label, color) in enumerate(series):
            value = day[key]
            y0, y1 = sorted((y(0), y(value)))
            amount = utils.format_price(value)
            parts.append(f'<rect class="flocx-statement-day-{key}" '
                         f'x="{_num(x0 + k * (bar + 1))}" y="{_num(y0)}" '
                         f'width="{_num(bar)}" '
                         f'height="{_num(max(y1 - y0, 1 if value else 0))}" '
                         f'fill="{color}"><title>{date.isoformat()}: '
                         f'{escape(label)} {amount}</title></rect>')
    parts.append('</svg>')
    return mark_safe(''.join(parts))
