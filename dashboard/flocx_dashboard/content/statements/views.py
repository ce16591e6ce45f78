"""Statements: per month, every contract with charges in it, what this
project paid as a renter and earned as an owner (the market's
GET /v1/statements, microversion 1.1), a chart of the period day by day
(the statement's ``days``, microversion 1.4) and a CSV download.

Amounts stay exact decimals from the API's strings to the page and the
CSV; nothing here goes through a float.
"""
import csv
import datetime
import decimal

from django import http
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from horizon import exceptions, views

from flocx_dashboard import api, charts, utils
from flocx_dashboard import exceptions as flocx_exceptions

ZERO = decimal.Decimal(0)
AMOUNTS = ('paid', 'refunds', 'fees', 'earned')
CSV_COLUMNS = ('period', 'contract_uuid', 'project_id', 'role',
               'node_hours', 'paid', 'refunds', 'fees', 'earned', 'net')


def current_period(now=None):
    now = now or datetime.datetime.now(datetime.timezone.utc)
    return now.strftime('%Y-%m')


def next_period(period, step=1):
    """'2026-12' + 1 -> '2027-01'; None if ``period`` is not YYYY-MM."""
    try:
        year, month = (int(x) for x in period.split('-'))
    except (AttributeError, ValueError):
        return None
    index = year * 12 + month - 1 + step
    return f'{index // 12:04d}-{index % 12 + 1:02d}'


def _decimal(value):
    return api.decimal_price(value) if value not in (None, '') else ZERO


def _net(item):
    """What a party came out with: earned, less what it paid net of
    refunds, plus fees."""
    return item['earned'] - item['paid'] + item['refunds'] - item['fees']


def summarize(statement):
    """The API's statement as the panel shows it, every amount a Decimal.

    ``contracts``: one row per contract and party (a project both renter
    and owner of one contract has two); ``totals``: their sums;
    ``organizations`` and ``operator``: what a system reader's statement
    has (every organization; the operator's surplus and fees).
    """
    rows = []
    for entry in statement.get('contracts') or ():
        row = {'contract_uuid': entry['contract_uuid'],
               'project_id': entry.get('project_id'),
               'role': entry.get('role'),
               'node_hours': _decimal(entry.get('node_hours'))}
        row.update({k: _decimal(entry.get(k)) for k in AMOUNTS})
        row['net'] = _net(row)
        rows.append(row)
    rows.sort(key=lambda r: (r['contract_uuid'], r['project_id'] or '',
                             r['role'] or ''))
    totals = {k: sum((r[k] for r in rows), ZERO)
              for k in ('node_hours',) + AMOUNTS}
    totals['net'] = _net(totals)
    organizations = []
    for org in statement.get('organizations') or ():
        item = {'project_id': org.get('project_id')}
        item.update({k: _decimal(org.get(k)) for k in AMOUNTS})
        item['net'] = _net(item)
        organizations.append(item)
    operator = statement.get('operator')
    if operator is not None:
        operator = {k: _decimal(v) for k, v in operator.items()}
    api_totals = {k: _decimal(v)
                  for k, v in (statement.get('totals') or {}).items()}
    return {'contracts': rows, 'totals': totals,
            'organizations': organizations, 'operator': operator,
            'api_totals': api_totals,
            'all_organizations': operator is not None}


def chart_points(rows):
    """Per contract: what was paid for it (net of refunds, fees included)
    and what was earned on it, summed over the parties shown."""
    points = {}
    for row in rows:
        point = points.setdefault(row['contract_uuid'], {
            'contract_uuid': row['contract_uuid'], 'paid': ZERO,
            'earned': ZERO})
        point['paid'] += row['paid'] - row['refunds'] + row['fees']
        point['earned'] += row['earned']
    return list(points.values())


def day_points(statement):
    """The API's ``days`` (microversion 1.4) as the chart draws them:
    per date, what was paid (net of refunds, fees included) and earned."""
    points = []
    for day in statement.get('days') or ():
        paid = _decimal(day.get('paid')) - _decimal(day.get('refunds')) + \
            _decimal(day.get('fees'))
        points.append({'date': datetime.date.fromisoformat(day['date']),
                       'paid': paid, 'earned': _decimal(day.get('earned'))})
    return points


def period_dates(statement):
    """(first day, the day after the last) of the statement's period."""
    start = api.parse_time(statement['start_time']).date()
    end = api.parse_time(statement['end_time']).date()
    return start, end


def days_chart(statement):
    """The period day by day, when the market gives days (1.4); ''
    otherwise."""
    if not statement.get('days'):
        return ''
    return charts.paid_and_earned_by_day(day_points(statement),
                                         *period_dates(statement))


def csv_rows(period, summary):
    """The CSV download: the header, then one line per contract and party,
    amounts as the exact decimals shown."""
    yield CSV_COLUMNS
    for row in summary['contracts']:
        yield (period, row['contract_uuid'], row['project_id'] or '',
               row['role'] or '', utils.format_decimal(row['node_hours']),
               *(utils.format_price(row[k]) for k in AMOUNTS + ('net',)))


class _StatementMixin:
    def period(self):
        return (self.request.GET.get('period') or '').strip() or \
            current_period()

    def fetch(self, period):
        """The statement, or (None, the market's reason) for a request it
        refused (a future or malformed period: 400)."""
        try:
            return api.statement_get(self.request, period), None
        except flocx_exceptions.MarketplaceError as e:
            if e.status and 400 <= e.status < 500 and e.status != 401:
                return None, utils.api_error_message(e)
            exceptions.handle(self.request,
                              _('Unable to retrieve the statement.'))
        except api.ERRORS:
            exceptions.handle(self.request,
                              _('Unable to retrieve the statement.'))
        return None, None


class IndexView(_StatementMixin, views.HorizonTemplateView):
    template_name = 'project/statements/index.html'
    page_title = _("Statements")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        period = self.period()
        statement, refusal = self.fetch(period)
        context.update(period=period, refusal=refusal,
                       statement=statement,
                       current=current_period(),
                       previous_period=next_period(period, -1),
                       next_period=next_period(period, 1),
                       csv_url=reverse('horizon:project:statements:csv'),
                       contracts_url=reverse(
                           'horizon:project:contracts:index'))
        if context['next_period'] and \
                context['next_period'] > context['current']:
            context['next_period'] = None
        if statement is not None:
            summary = summarize(statement)
            context['summary'] = summary
            context['days_chart'] = days_chart(statement)
            context['chart'] = charts.paid_vs_earned(
                chart_points(summary['contracts']))
        return context


class CsvView(_StatementMixin, views.HorizonTemplateView):
    """The statement of a period as CSV (?period=YYYY-MM)."""

    def get(self, request, *args, **kwargs):
        period = self.period()
        statement, refusal = self.fetch(period)
        if statement is None:
            return http.HttpResponseBadRequest(
                refusal or _('Unable to retrieve the statement.'),
                content_type='text/plain; charset=utf-8')
        summary = summarize(statement)
        response = http.HttpResponse(content_type='text/csv; charset=utf-8')
        who = statement.get('project_id') or 'all'
        response['Content-Disposition'] = (
            f'attachment; filename="flocx-statement-{who}-'
            f'{statement.get("period") or period}.csv"')
        writer = csv.writer(response)
        for line in csv_rows(statement.get('period') or period, summary):
            writer.writerow(line)
        return response
