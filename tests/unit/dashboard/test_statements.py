"""The Statements panel: exact amounts from the API's strings to the page,
the chart and the CSV; the market's refusal of a period; a system
reader's statement; and the owners' revocations on the offers."""
import csv
import decimal
import io
import pathlib
import types
from unittest import mock

import pytest
from django import template
from django.test import RequestFactory

from flocx_dashboard import api, charts, utils
from flocx_dashboard.content.offers import tables as offer_tables
from flocx_dashboard.content.offers import views as offer_views
from flocx_dashboard.content.statements import views
from flocx_dashboard.templatetags import flocx as flocx_tags

D = decimal.Decimal
OWNER, RENTER = 'org-a', 'org-b'
TEMPLATES = (pathlib.Path(views.__file__).parent / 'templates')

# GET /v1/statements as the market answers org-b: renter of c-1 (paid
# 6.50 for 2 node-hours, refunded 1.25 after a return, fee 0.10) and owner
# in c-2.
STATEMENT = {
    'period': '2026-12', 'project_id': RENTER,
    'start_time': '2026-12-01T00:00:00+00:00',
    'end_time': '2027-01-01T00:00:00+00:00',
    'contracts': [
        {'contract_uuid': 'c-2', 'project_id': RENTER, 'role': 'owner',
         'node_hours': '1.5', 'paid': '0.00', 'refunds': '0.00',
         'fees': '0.00', 'earned': '2.25'},
        {'contract_uuid': 'c-1', 'project_id': RENTER, 'role': 'renter',
         'node_hours': '2.000278', 'paid': '6.50', 'refunds': '1.25',
         'fees': '0.10', 'earned': '0.00'},
    ],
    'organizations': [{'project_id': RENTER, 'paid': '6.50',
                       'refunds': '1.25', 'fees': '0.10',
                       'earned': '2.25'}],
    'totals': {'renters_paid': '5.35', 'owners_earned': '2.25'},
}
# A system reader's: every organization, and the operator.
ALL = {
    'period': '2026-12', 'project_id': None,
    'start_time': '2026-12-01T00:00:00+00:00',
    'end_time': '2027-01-01T00:00:00+00:00',
    'contracts': [
        {'contract_uuid': 'c-1', 'project_id': RENTER, 'role': 'renter',
         'node_hours': '2', 'paid': '6.50', 'refunds': '0.00',
         'fees': '0.00', 'earned': '0.00'},
        {'contract_uuid': 'c-1', 'project_id': OWNER, 'role': 'owner',
         'node_hours': '2', 'paid': '0.00', 'refunds': '0.00',
         'fees': '0.00', 'earned': '3.00'},
    ],
    'organizations': [
        {'project_id': OWNER, 'paid': '0.00', 'refunds': '0.00',
         'fees': '0.00', 'earned': '3.00'},
        {'project_id': RENTER, 'paid': '6.50', 'refunds': '0.00',
         'fees': '0.00', 'earned': '0.00'}],
    'totals': {'renters_paid': '6.50', 'owners_earned': '3.00'},
    'operator': {'surplus': '3.50', 'fees': '0.00'},
}


def request_of(project, path='/', **params):
    request = RequestFactory().get(path, params)
    request.user = types.SimpleNamespace(project_id=project,
                                         is_superuser=False)
    return request


def render(**context):
    engine = template.Engine(
        dirs=[str(TEMPLATES)],
        libraries={'flocx': 'flocx_dashboard.templatetags.flocx',
                   'i18n': 'django.templatetags.i18n'})
    context.setdefault('contracts_url', '/project/contracts/')
    return engine.get_template('statements/_statement.html').render(
        template.Context(context))


def test_summary_keeps_every_amount_exact():
    summary = views.summarize(STATEMENT)
    renter, owner = summary['contracts']  # sorted by contract
    assert (renter['contract_uuid'], owner['contract_uuid']) == ('c-1', 'c-2')
    for row in summary['contracts']:
        for key in ('paid', 'refunds', 'fees', 'earned', 'net',
                    'node_hours'):
            assert isinstance(row[key], D), key
    assert renter['node_hours'] == D('2.000278')
    assert renter['net'] == D('-5.35')
    assert owner['net'] == D('2.25')
    totals = summary['totals']
    assert totals['paid'] - totals['refunds'] + totals['fees'] == \
        summary['api_totals']['renters_paid'] == D('5.35')
    assert totals['earned'] == D('2.25')
    assert totals['net'] == D('-3.10')
    assert totals['node_hours'] == D('3.500278')
    assert summary['operator'] is None
    assert not summary['all_organizations']


def test_decimal_strings_never_become_floats():
    # 0.1 + 0.2 as floats is 0.30000000000000004.
    statement = dict(STATEMENT, contracts=[
        dict(STATEMENT['contracts'][1], paid='0.10', refunds='0.00',
             fees='0.20')])
    row, = views.summarize(statement)['contracts']
    assert row['paid'] + row['fees'] == D('0.30')
    assert utils.format_price(-row['net']) == '0.30'


@pytest.mark.parametrize('value, shown', [
    ('2', '2'), ('1.5', '1.5'), ('0.000278', '0.000278'), ('100', '100'),
    (D('2.500000'), '2.5'), (None, '-')])
def test_node_hours_show_every_digit_and_no_exponent(value, shown):
    assert flocx_tags.decimal(value) == shown


def test_periods():
    assert views.next_period('2026-12') == '2027-01'
    assert views.next_period('2027-01', -1) == '2026-12'
    assert views.next_period('2026-05', -1) == '2026-04'
    assert views.next_period('soon') is None


def test_chart_draws_paid_and_earned_per_contract():
    summary = views.summarize(ALL)
    points = views.chart_points(summary['contracts'])
    assert points == [{'contract_uuid': 'c-1', 'paid': D('6.50'),
                       'earned': D('3.00')}]
    svg = charts.paid_vs_earned(points)
    assert 'id="flocx-statement-chart"' in svg
    assert svg.count('class="flocx-statement-paid"') == 1
    assert svg.count('class="flocx-statement-earned"') == 1
    assert 'c-1: paid 6.50' in svg and 'c-1: earned 3.00' in svg
    # Bars to scale: 6.50 of an axis to 10, 3.00 of it.
    widths = [float(part.split('width="')[1].split('"')[0])
              for part in svg.split('<rect class="flocx-statement-')[1:]]
    assert widths[1] / widths[0] == pytest.approx(3 / 6.5, rel=0.01)
    assert charts.paid_vs_earned([]) == ''


def test_chart_scales_to_cents():
    # A rental of minutes costs cents: the bars still fill the plot.
    svg = charts.paid_vs_earned([{'contract_uuid': 'c-1', 'paid': D('0.03'),
                                  'earned': D('0.01')}])
    widths = [float(part.split('width="')[1].split('"')[0])
              for part in svg.split('<rect class="flocx-statement-')[1:]]
    plot = 640 - 90 - 150
    assert widths[0] == pytest.approx(plot * 0.03 / 0.05, abs=0.1)
    assert widths[1] == pytest.approx(widths[0] / 3, abs=0.1)


@pytest.mark.parametrize('value, axis', [
    (0.03, 0.05), (0.01, 0.01), (6.5, 10), (3, 5), (120, 200), (0, 1)])
def test_chart_axis_ends(value, axis):
    assert charts._nice_ceiling(value) == pytest.approx(axis)


def test_chart_escapes_what_the_api_says():
    svg = charts.paid_vs_earned([{'contract_uuid': '<script>x',
                                  'paid': D('1'), 'earned': D('0')}])
    assert '<script>' not in svg


def test_csv_has_one_line_per_contract_and_party_exactly():
    summary = views.summarize(STATEMENT)
    lines = list(views.csv_rows('2026-12', summary))
    assert lines[0] == views.CSV_COLUMNS
    assert lines[1] == ('2026-12', 'c-1', RENTER, 'renter', '2.000278',
                        '6.50', '1.25', '0.10', '0.00', '-5.35')
    assert lines[2] == ('2026-12', 'c-2', RENTER, 'owner', '1.5',
                        '0.00', '0.00', '0.00', '2.25', '2.25')


def view_of(view_class, request):
    view = view_class()
    view.setup(request)
    view.request, view.args, view.kwargs = request, (), {}
    return view


def test_index_asks_for_the_chosen_period():
    request = request_of(RENTER, period='2026-11')
    view = view_of(views.IndexView, request)
    with mock.patch.object(api, 'statement_get',
                           return_value=STATEMENT) as get, \
            mock.patch.object(views, 'reverse', lambda name: f'<{name}>'):
        context = view.get_context_data()
    get.assert_called_once_with(request, '2026-11')
    assert context['previous_period'] == '2026-10'
    assert context['summary']['totals']['earned'] == D('2.25')
    assert 'flocx-statement-chart' in context['chart']
    assert context['days_chart'] == ''  # a statement without days
    assert context['csv_url'] == '<horizon:project:statements:csv>'
    with mock.patch.object(api, 'statement_get',
                           return_value=dict(STATEMENT, days=DAYS)), \
            mock.patch.object(views, 'reverse', lambda name: f'<{name}>'):
        context = view.get_context_data()
    assert 'flocx-statement-days-chart' in context['days_chart']


def test_index_defaults_to_this_month_and_offers_no_future_one():
    view = view_of(views.IndexView, request_of(RENTER))
    with mock.patch.object(api, 'statement_get',
                           return_value=STATEMENT) as get, \
            mock.patch.object(views, 'reverse', lambda name: name):
        context = view.get_context_data()
    this_month = views.current_period()
    assert get.call_args.args[1] == this_month == context['period']
    assert context['next_period'] is None


def test_a_refused_period_shows_the_markets_reason():
    from flocxclient import exceptions
    refusal = exceptions.BadRequest('period 2099-01 is in the future.',
                                    status=400)
    view = view_of(views.IndexView, request_of(RENTER, period='2099-01'))
    with mock.patch.object(api, 'statement_get', side_effect=refusal), \
            mock.patch.object(views, 'reverse', lambda name: name):
        context = view.get_context_data()
    assert context['refusal'] == \
        'period 2099-01 is in the future. (HTTP 400)'
    assert context['statement'] is None and 'summary' not in context
    html = render(**context)
    assert 'id="flocx-statement-refused"' in html
    assert 'period 2099-01 is in the future. (HTTP 400)' in html
    assert 'flocx-statement-contracts' not in html


def test_page_shows_each_contract_and_the_totals():
    summary = views.summarize(STATEMENT)
    html = render(statement=STATEMENT, summary=summary,
                  chart=charts.paid_vs_earned(
                      views.chart_points(summary['contracts'])))
    assert 'Statement for 2026-12' in html
    assert 'id="flocx-statement-c-1-renter"' in html
    assert 'href="/project/contracts/c-1/"' in html
    renter_row = html.split('id="flocx-statement-c-1-renter"')[1] \
        .split('</tr>')[0]
    for cls, shown in (('node-hours', '2.000278'), ('paid', '6.50'),
                       ('refunds', '1.25'), ('fees', '0.10'),
                       ('earned', '0.00'), ('net', '-5.35')):
        assert f'class="flocx-{cls}">{shown}</td>' in renter_row, cls
    totals = html.split('id="flocx-statement-totals"')[1]
    assert 'class="flocx-earned">2.25</th>' in totals
    assert 'class="flocx-net">-3.10</th>' in totals
    # A project's own statement: no operator, no other organizations.
    assert 'flocx-statement-operator' not in html
    assert 'flocx-statement-organizations' not in html


def test_a_system_reader_sees_every_organization_and_the_surplus():
    summary = views.summarize(ALL)
    assert summary['all_organizations']
    assert summary['operator'] == {'surplus': D('3.50'), 'fees': D('0.00')}
    # Renters paid = owners earned + surplus + fees, to the cent.
    assert summary['api_totals']['renters_paid'] == \
        summary['api_totals']['owners_earned'] + \
        summary['operator']['surplus'] + summary['operator']['fees']
    html = render(statement=ALL, summary=summary)
    assert 'every organization' in html
    assert 'id="flocx-statement-c-1-renter-org-b"' in html
    assert 'id="flocx-statement-c-1-owner-org-a"' in html
    assert '<dd id="flocx-operator-surplus">3.50</dd>' in html
    assert '<dd id="flocx-renters-paid">6.50</dd>' in html
    orgs = html.split('id="flocx-statement-organizations"')[1]
    assert orgs.index(OWNER) < orgs.index(RENTER)


def test_an_empty_month():
    empty = dict(STATEMENT, contracts=[], organizations=[],
                 totals={'renters_paid': '0.00', 'owners_earned': '0.00'})
    html = render(statement=empty, summary=views.summarize(empty))
    assert 'id="flocx-statement-empty"' in html


def test_csv_download():
    request = request_of(RENTER, '/project/statements/csv/',
                         period='2026-12')
    view = view_of(views.CsvView, request)
    with mock.patch.object(api, 'statement_get', return_value=STATEMENT):
        response = view.get(request)
    assert response.status_code == 200
    assert response['Content-Type'].startswith('text/csv')
    assert 'flocx-statement-org-b-2026-12.csv' in \
        response['Content-Disposition']
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == list(views.CSV_COLUMNS)
    assert rows[1][5:] == ['6.50', '1.25', '0.10', '0.00', '-5.35']
    assert len(rows) == 3


def test_csv_of_a_refused_period_says_why():
    from flocxclient import exceptions
    refusal = exceptions.BadRequest('period 2099-01 is in the future.',
                                    status=400)
    request = request_of(RENTER, '/project/statements/csv/',
                         period='2099-01')
    with mock.patch.object(api, 'statement_get', side_effect=refusal):
        response = view_of(views.CsvView, request).get(request)
    assert response.status_code == 400
    assert b'is in the future' in response.content


def test_statement_goes_through_flocxclient():
    client = mock.Mock()
    client.get_statement.return_value = STATEMENT
    with mock.patch.object(api, 'flocxclient', return_value=client):
        assert api.statement_get(request_of(RENTER), '2026-12') is STATEMENT
    client.get_statement.assert_called_once_with(period='2026-12',
                                                 project_id=None)


def test_statement_asks_for_its_days():
    # Marketplace 1.4 for this call only: flocxclient's default stays.
    with mock.patch.object(api.flocx_client, 'Client') as client, \
            mock.patch.object(api.base, 'url_for',
                              return_value='http://market/'):
        request = request_of(RENTER)
        request.user.token = types.SimpleNamespace(id='token')
        api.statement_get(request, '2026-12')
    assert client.call_args.kwargs['api_versions'] == {
        'marketplace': '1.4'}


# The days of STATEMENT (microversion 1.4): paid on the 3rd, a refund and
# a fee on the 4th (a day of refunds: net below zero), earned on the 5th.
DAYS = [{'date': '2026-12-03', 'paid': '6.50', 'refunds': '0.00',
         'fees': '0.00', 'earned': '0.00'},
        {'date': '2026-12-04', 'paid': '0.00', 'refunds': '1.25',
         'fees': '0.10', 'earned': '0.00'},
        {'date': '2026-12-05', 'paid': '0.00', 'refunds': '0.00',
         'fees': '0.00', 'earned': '2.25'}]


def bars(svg, key):
    """{date: (y, height, title)} of the day chart's ``key`` bars."""
    out = {}
    for part in svg.split(f'<rect class="flocx-statement-day-{key}"')[1:]:
        attr = {a: float(part.split(f' {a}="')[1].split('"')[0])
                for a in ('y', 'height')}
        title = part.split('<title>')[1].split('</title>')[0]
        out[title.split(':')[0]] = (attr['y'], attr['height'], title)
    return out


def test_days_chart_draws_every_day_with_charges_exactly():
    statement = dict(STATEMENT, days=DAYS)
    points = views.day_points(statement)
    assert points[1] == {'date': __import__('datetime').date(2026, 12, 4),
                         'paid': D('-1.15'), 'earned': D('0.00')}
    svg = views.days_chart(statement)
    assert 'id="flocx-statement-days-chart"' in svg
    paid, earned = bars(svg, 'paid'), bars(svg, 'earned')
    assert sorted(paid) == ['2026-12-03', '2026-12-04', '2026-12-05']
    assert paid['2026-12-03'][2] == '2026-12-03: paid 6.50'
    assert paid['2026-12-04'][2] == '2026-12-04: paid -1.15'
    assert earned['2026-12-05'][2] == '2026-12-05: earned 2.25'
    # To scale, from one zero line: 6.50 up, 2.25 up, -1.15 down.
    zero = paid['2026-12-04'][0]
    assert paid['2026-12-03'][0] + paid['2026-12-03'][1] == \
        pytest.approx(zero)
    assert earned['2026-12-05'][1] / paid['2026-12-03'][1] == \
        pytest.approx(2.25 / 6.5, rel=0.01)
    assert paid['2026-12-04'][1] / paid['2026-12-03'][1] == \
        pytest.approx(1.15 / 6.5, rel=0.01)
    # A zero amount draws no bar height; the axis has all 31 days.
    assert earned['2026-12-03'][1] == 0
    assert '>31</text>' in svg


def test_days_chart_only_with_days():
    assert views.days_chart(STATEMENT) == ''  # before 1.4
    assert views.days_chart(dict(STATEMENT, days=[])) == ''


def test_page_shows_the_day_chart_above_the_contracts():
    statement = dict(STATEMENT, days=DAYS)
    summary = views.summarize(statement)
    html = render(statement=statement, summary=summary,
                  days_chart=views.days_chart(statement),
                  chart=charts.paid_vs_earned(
                      views.chart_points(summary['contracts'])))
    assert html.index('flocx-statement-days-chart') < \
        html.index('id="flocx-statement-chart"')
    assert 'Day by day' in html
    html = render(statement=STATEMENT, summary=views.summarize(STATEMENT),
                  days_chart='')
    assert 'Day by day' not in html


def test_offers_show_their_owners_revocations():
    offers = [api.APIResource({'uuid': 'o-1', 'project_id': OWNER}),
              api.APIResource({'uuid': 'o-2', 'project_id': 'org-new'})]
    record = [{'owner_project_id': OWNER, 'contracts': 4,
               'revocations': 1}]
    with mock.patch.object(api, 'reliability_list',
                           return_value=record) as reliability:
        offer_views.add_reliability(request_of(RENTER), offers)
    reliability.assert_called_once()
    assert [str(o.reliability) for o in offers] == [
        '1 of 4 contracts', '0 of 0 contracts']
    assert [o.revocations for o in offers] == [1, 0]
    table = offer_tables.OffersTable(request_of(RENTER))
    assert 'reliability' in table.columns


def test_offers_show_without_the_record_if_the_market_fails():
    from flocxclient import exceptions
    offers = [api.APIResource({'uuid': 'o-1', 'project_id': OWNER})]
    with mock.patch.object(api, 'reliability_list',
                           side_effect=exceptions.ClientException('down')):
        offer_views.add_reliability(request_of(RENTER), offers)
    assert offers[0].reliability == '-' and offers[0].revocations is None
