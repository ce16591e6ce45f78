"""Prices, booked offers, the bookings timeline, and which lifecycle
buttons each party gets."""
import datetime
import decimal
import types
from unittest import mock

import pytest
from django.test import RequestFactory

from flocx_dashboard import api, charts, utils
from flocx_dashboard.content.bids import forms as bid_forms
from flocx_dashboard.content.contracts import tables as contract_tables
from flocx_dashboard.content.offers import forms as offer_forms
from flocx_dashboard.content.offers import tables as offer_tables
from flocx_dashboard.content.offers import views as offer_views
from flocx_dashboard.templatetags import flocx as flocx_tags

D = decimal.Decimal
OWNER, RENTER = 'org-a', 'org-b'


def request_of(project, superuser=False):
    request = RequestFactory().get('/')
    request.user = types.SimpleNamespace(project_id=project,
                                         is_superuser=superuser)
    return request


def offer(status='open', project=OWNER, booked=None, uuid='o-1'):
    data = {'uuid': uuid, 'project_id': project, 'status': status,
            'price': 1.5, 'resource_class': 'baremetal',
            'resource_uuid': 'node-1', 'start_time': '2026-12-07T00:00:00Z'}
    if booked is not None:
        data['booked'] = booked
    return api.APIResource(data)


def contract(status='active', renter=RENTER, owners=(OWNER,)):
    return api.APIResource({
        'uuid': 'c-1', 'project_id': renter, 'status': status,
        'owner_project_ids': list(owners), 'offer_uuids': ['o-1'],
        'price': 2.25, 'cost': 4.5})


@pytest.mark.parametrize('value, shown', [
    (1.5, '1.50'), (2, '2.00'), (0.1, '0.10'), (0.125, '0.125'),
    (2.3456, '2.3456'), ('7', '7.00'), (D('10'), '10.00'),
    (1e1, '10.00'), (None, '-'), ('', '-')])
def test_prices_show_every_digit_and_two_places_at_least(value, shown):
    assert utils.format_price(value) == shown
    assert flocx_tags.price(value) == shown


def test_a_json_float_price_is_the_decimal_written():
    assert api.decimal_price(0.1) == D('0.1')
    assert api.decimal_price(1.1 + 2.2) == D('3.3000000000000003')
    assert api.decimal_price(D('1.25')) == D('1.25')


def test_depth_from_offers_keeps_the_lowest_ask_exact():
    offers = [offer(uuid='a'), api.APIResource(dict(
        offer(uuid='b').to_dict(), price=0.1))]
    depth, = api.depth_from_offers(offers)
    assert depth['lowest_ask'] == D('0.1') and depth['offers'] == 2


def render_depth(**context):
    import pathlib
    from django import template
    from flocx_dashboard.content.market import views as market_views
    engine = template.Engine(
        dirs=[str(pathlib.Path(market_views.__file__).parent / 'templates')],
        libraries={'flocx': 'flocx_dashboard.templatetags.flocx',
                   'i18n': 'django.templatetags.i18n'})
    return engine.get_template('market/_depth.html').render(
        template.Context(context))


def test_depth_shows_the_free_node_time_the_auction_gives():
    # The auction's depth (the market's free_node_hours): one of two
    # baremetal offers is fully booked, all of the large ones are.
    depth = [{'resource_class': 'baremetal', 'offers': 2,
              'nodes_on_offer': 1, 'free_node_hours': 4.0,
              'lowest_ask': 1.5, 'bids': 1, 'nodes_wanted': 2},
             {'resource_class': 'large', 'offers': 1, 'nodes_on_offer': 0,
              'free_node_hours': 0.0, 'lowest_ask': None, 'bids': 0,
              'nodes_wanted': 0}]
    html = render_depth(depth=depth, depth_source='auction',
                        depth_chart=charts.market_depth(depth))
    row = html.split('id="flocx-depth-baremetal"')[1].split('</tr>')[0]
    assert '<td class="flocx-nodes-on-offer">1</td>' in row
    assert '<td class="flocx-free-node-hours">4.0</td>' in row
    assert '<td class="flocx-lowest-ask">1.50</td>' in row
    row = html.split('id="flocx-depth-large"')[1].split('</tr>')[0]
    assert '<td class="flocx-nodes-on-offer">0</td>' in row
    assert '<td class="flocx-lowest-ask">-</td>' in row
    assert 'booked time and the' in html


def test_depth_from_offers_says_booked_time_is_not_known():
    depth = api.depth_from_offers([offer()])
    assert depth[0]['free_node_hours'] is None
    html = render_depth(depth=depth, depth_source='offers')
    assert '<td class="flocx-free-node-hours">-</td>' in html
    assert 'booked or not' in html


def test_booked_offers_are_those_of_live_contracts():
    live = contract()
    over = api.APIResource(dict(contract('completed').to_dict(),
                                offer_uuids=['o-2']))
    assert api.booked_offer_uuids([live, over]) == {'o-1'}


def test_annotate_asks_for_the_owners_live_contracts():
    lists = {'scheduled': [], 'active': [contract()]}
    with mock.patch.object(api, 'contract_list',
                           side_effect=lambda r, status: lists[status]):
        marked = offer_views.annotate(request_of(OWNER),
                                         [offer(), offer(uuid='o-9')])
    assert [o.booked for o in marked] == [True, False]
    assert [str(o.mine) for o in marked] == ['this project'] * 2


def test_annotate_asks_nothing_without_own_open_offers():
    with mock.patch.object(api, 'contract_list') as contract_list:
        offer_views.annotate(request_of(RENTER), [offer()])
    contract_list.assert_not_called()


@pytest.mark.parametrize('who, item, cancel, withdraw', [
    (OWNER, offer(booked=False), True, False),
    # Booked: the market answers a cancel with 409.
    (OWNER, offer(booked=True), False, True),
    (OWNER, offer('withdrawn', booked=False), False, False),
    (RENTER, offer(), False, False),
])
def test_offer_buttons(who, item, cancel, withdraw):
    request = request_of(who)
    table = offer_tables.OffersTable(request)
    assert offer_tables.CancelOffer(table=table).allowed(
        request, item) is cancel
    assert offer_tables.WithdrawOffer(table=table).allowed(
        request, item) is withdraw


def test_booked_offer_shows_as_booked():
    assert offer_tables._state(offer(booked=True)) == 'booked'
    assert offer_tables._state(offer(booked=False)) == 'open'
    assert offer_tables._state(offer('cancelled', booked=True)) == \
        'cancelled'


ACTIONS = (contract_tables.ShowAccess, contract_tables.ExtendContract,
           contract_tables.ReturnContract, contract_tables.RevokeContract)


@pytest.mark.parametrize('who, superuser, status, allowed', [
    (RENTER, False, 'active', {'access', 'extend', 'return'}),
    (RENTER, False, 'scheduled', {'access', 'extend', 'return'}),
    (OWNER, False, 'active', {'revoke'}),
    ('org-c', True, 'active', {'revoke'}),
    ('org-c', False, 'active', set()),
    (RENTER, False, 'completed', set()),
    (OWNER, False, 'revoked', set()),
])
def test_contract_buttons_by_party(who, superuser, status, allowed):
    request = request_of(who, superuser)
    table = contract_tables.ContractsTable(request)
    item = contract(status)
    shown = {action.name for action in ACTIONS
             if action(table=table).allowed(request, item)}
    assert shown == allowed


def test_roles():
    both = contract(renter=OWNER)
    assert contract_tables.set_role(request_of(OWNER), both).role == \
        'renter + owner'
    assert contract_tables.set_role(request_of(RENTER),
                                    contract()).role == 'renter'


AVAILABILITY = {
    'offer_uuid': 'o-1', 'status': 'open',
    'start_time': '2026-12-07T00:00:00Z', 'end_time': '2026-12-08T00:00:00Z',
    'cleaning_gap': 1800,
    'booked': [{'contract_uuid': 'c-1<script>', 'status': 'active',
                'start_time': '2026-12-07T02:00:00Z',
                'end_time': '2026-12-07T04:00:00Z',
                'booked_until': '2026-12-07T04:30:00Z'}],
    'free': [['2026-12-07T00:00:00Z', '2026-12-07T02:00:00Z'],
             ['2026-12-07T04:30:00Z', '2026-12-08T00:00:00Z']],
}


def test_timeline_draws_bookings_cleaning_and_free_time():
    now = datetime.datetime(2026, 12, 7, 3, tzinfo=datetime.timezone.utc)
    svg = charts.booking_timeline(AVAILABILITY, now=now)
    assert svg.count('class="flocx-booked"') == 1
    assert svg.count('class="flocx-cleaning"') == 1
    assert svg.count('class="flocx-free"') == 2
    assert 'class="flocx-now"' in svg
    # The booking spans 2 h of the 24 h window: 1/12 of the plot width.
    booked = svg.split('class="flocx-booked"')[1]
    width = float(booked.split('width="')[1].split('"')[0])
    assert width == pytest.approx((760 - 20) / 12, abs=0.1)
    assert '<script>' not in svg


def test_timeline_of_a_closed_offer_has_no_free_time():
    closed = dict(AVAILABILITY, status='withdrawn', free=[], booked=[])
    later = datetime.datetime(2027, 1, 1, tzinfo=datetime.timezone.utc)
    svg = charts.booking_timeline(closed, now=later)
    assert 'flocx-free' not in svg.replace('>free<', '')
    assert 'flocx-now' not in svg


def offer_form(**data):
    values = {'node': 'node-1', 'start': '', 'end': '2099-01-01 10:00',
              'price': '1.5'}
    values.update(data)
    return offer_forms.CreateOfferForm(request_of(OWNER), data=values)


def test_offer_form_blank_start_is_now_and_price_stays_decimal():
    form = offer_form()
    assert form.is_valid(), form.errors
    now = datetime.datetime.now(datetime.timezone.utc)
    assert abs((form.cleaned_data['start'] - now).total_seconds()) < 5
    assert form.cleaned_data['price'] == D('1.5')
    with mock.patch.object(api, 'offer_create', return_value=offer()) as \
            create, mock.patch('horizon.messages.success') as success:
        form.handle(form.request, form.cleaned_data)
    node, start, end, price = create.call_args.args[1:]
    assert (node, price) == ('node-1', D('1.5'))
    assert isinstance(price, D)
    assert end == datetime.datetime(2099, 1, 1, 10,
                                    tzinfo=datetime.timezone.utc)
    assert '1.50' in str(success.call_args.args[1])


@pytest.mark.parametrize('data, field, message', [
    ({'start': '2000-01-01 00:00'}, 'start', 'in the past'),
    ({'start': '2099-01-02 00:00'}, 'end', 'after the start'),
    ({'end': 'tomorrow'}, 'end', 'YYYY-MM-DD HH:MM'),
    ({'price': '-1'}, 'price', ''),
])
def test_offer_form_refuses(data, field, message):
    form = offer_form(**data)
    assert not form.is_valid()
    assert message in ' '.join(form.errors[field])


def test_offer_form_shows_the_providers_refusal():
    from flocxclient import exceptions
    form = offer_form()
    assert form.is_valid()
    refusal = exceptions.Conflict('node n is not offerable: in maintenance',
                                  status=409)
    with mock.patch.object(api, 'offer_create', side_effect=refusal):
        assert form.handle(form.request, form.cleaned_data) is False
    assert 'in maintenance (HTTP 409)' in ' '.join(form.non_field_errors())


def test_contract_price_is_the_renters_or_the_owners_own():
    renter_view = contract()
    owner_view = api.APIResource({
        'uuid': 'c-1', 'project_id': RENTER, 'status': 'active',
        'owner_project_ids': [OWNER],
        'nodes': [{'offer_uuid': 'o-1', 'price': 1.5}]})
    assert contract_tables._price(renter_view) == '2.25'
    assert contract_tables._price(owner_view) == '1.50'


@pytest.mark.parametrize('value, shown', [
    ('2026-12-07T02:23:07.958510+00:00', '2026-12-07 02:23'),
    ('2026-12-07T05:23:00Z', '2026-12-07 05:23'),
    (None, '-'), ('', '-')])
def test_times_show_to_the_minute(value, shown):
    assert flocx_tags.utc(value) == shown


def test_offering_a_node_not_owned_goes_back_to_offers():
    from horizon import exceptions
    view = offer_views.CreateView()
    view.request = request_of(OWNER)
    view.kwargs = {'node_id': 'not-mine'}
    nodes = [api.APIResource({'uuid': 'node-1', 'offerable': True})]
    with mock.patch.object(api, 'node_list', return_value=nodes), \
            mock.patch('horizon.messages.error') as error, \
            mock.patch.object(offer_views, 'reverse',
                              lambda name: f'<{name}>'):
        with pytest.raises(exceptions.Http302) as redirect:
            view.get_node()
    assert redirect.value.location == '<horizon:project:offers:index>'
    assert 'not-mine' in str(error.call_args.args[1])


def test_extend_form_sends_the_new_end():
    from flocx_dashboard.content.contracts import forms as contract_forms
    form = contract_forms.ExtendContractForm(request_of(RENTER), data={
        'contract_id': 'c-1', 'end': '2099-01-01 12:30'})
    assert form.is_valid(), form.errors
    extended = api.APIResource(dict(contract().to_dict(),
                                    end_time='2099-01-01T12:30:00Z'))
    with mock.patch.object(api, 'contract_extend',
                           return_value=extended) as extend, \
            mock.patch('horizon.messages.success') as success:
        assert form.handle(form.request, form.cleaned_data) is extended
    assert extend.call_args.args[1:] == (
        'c-1', datetime.datetime(2099, 1, 1, 12, 30,
                                 tzinfo=datetime.timezone.utc))
    assert '2099-01-01T12:30:00Z' in str(success.call_args.args[1])


def test_revoke_form_shows_the_markets_refusal():
    from flocx_dashboard.content.contracts import forms as contract_forms
    from flocxclient import exceptions
    form = contract_forms.RevokeContractForm(request_of(OWNER), data={
        'contract_id': 'c-1', 'reason': 'disk failing'})
    assert form.is_valid(), form.errors
    refusal = exceptions.Conflict('Contract c-1 is completed.', status=409)
    with mock.patch.object(api, 'contract_revoke',
                           side_effect=refusal) as revoke:
        assert form.handle(form.request, form.cleaned_data) is False
    assert revoke.call_args.args[1:] == ('c-1', 'disk failing')
    assert 'Contract c-1 is completed. (HTTP 409)' in ' '.join(
        form.non_field_errors())


def test_price_chart_labels_the_exact_prices():
    when = datetime.datetime(2026, 12, 7, 1, tzinfo=datetime.timezone.utc)
    svg = charts.price_history([
        {'resource_class': 'baremetal', 'time': when,
         'price': api.decimal_price(1.5)},
        {'resource_class': 'baremetal',
         'time': when + datetime.timedelta(hours=1),
         'price': api.decimal_price(0.125)}])
    assert 'baremetal: 1.50 at 2026-12-07 01:00 UTC' in svg
    assert 'baremetal (0.125)' in svg


@pytest.mark.parametrize('ticked, sent', [('on', True), (None, None)])
def test_bid_form_sends_span_clouds_only_when_ticked(ticked, sent):
    values = {'quantity': '2', 'start': '', 'duration': '1',
              'duration_unit': '3600', 'price': '3.25'}
    if ticked:
        values['span_clouds'] = ticked
    form = bid_forms.CreateBidForm(request_of(RENTER), data=values)
    assert form.is_valid(), form.errors
    client = mock.Mock()
    client.create_bid.return_value = {'uuid': 'b-1', 'quantity': 2}
    with mock.patch.object(api, 'flocxclient', return_value=client), \
            mock.patch('horizon.messages.success'):
        form.handle(form.request, form.cleaned_data)
    body = client.create_bid.call_args.args[0]
    assert body.get('span_clouds') is sent
    assert body['price'] == D('3.25') and body['quantity'] == 2


def test_offers_and_contracts_show_their_cloud():
    assert offer_tables._where('cloud-b', 'boston') == 'cloud-b (boston)'
    assert offer_tables._where('home') == 'home'
    assert offer_tables._where(None) == '-'
    spanning = {'nodes': [{'cloud': 'cloud-b'}, {'cloud': 'home'},
                          {'cloud': 'cloud-b'}]}
    assert contract_tables._clouds(spanning) == 'cloud-b, home'
    assert contract_tables._clouds({'nodes': [{}]}) == '-'
    assert 'cloud' in offer_tables.OffersTable.base_columns
    assert 'clouds' in contract_tables.ContractsTable.base_columns


def test_templates_include_by_the_name_horizon_finds():
    """Horizon's loader finds a panel's template as
    project/<panel>/<file>: 'market/_depth.html' rendered in a unit test's
    engine, and was a 500 in Horizon."""
    import pathlib
    import re
    from flocx_dashboard.content import market
    content = pathlib.Path(market.__file__).parents[1]
    includes = {
        (path.relative_to(content).as_posix(), name)
        for path in content.glob('*/templates/**/*.html')
        for name in re.findall(r"{%\s*include\s+'([^']+)'",
                               path.read_text())}
    assert includes
    panels = {p.name for p in content.iterdir() if (p / 'panel.py').exists()}
    wrong = sorted((where, name) for where, name in includes
                   if not (name.startswith('horizon/') or (
                       name.split('/')[0] == 'project'
                       and name.split('/')[1] in panels)))
    assert wrong == []
