"""Hand-picked hostile input against the three APIs: each gets a clear 4xx
in the API-SIG JSON format, never a 500.

Oversize bodies, unicode where only ASCII names are allowed, NaN, Infinity
and negative prices, windows that end before they start, far-future and
impossible times, huge quantities and durations, malformed paths, query
strings and tokens.
"""

import json

import fixtures
import pytest

from tests.unit import base as ubase
from tests.unit.fuzz import harness
from tests.unit.market import base as mbase
from tests.unit.provider import base as pbase

BIG = 'x' * 200000  # over oslo.middleware's default 114688 bytes


@pytest.fixture(scope='module')
def market():
    stack = fixtures.Fixture()
    stack.setUp()
    fx = stack.useFixture(mbase.MarketFixture())
    yield {'app': fx.app,
           'bidder': ubase.Client(fx.app, project='org-b'),
           'service': ubase.Client(fx.app, project='service',
                                   roles='service')}
    stack.cleanUp()


@pytest.fixture(scope='module')
def provider():
    stack = fixtures.Fixture()
    stack.setUp()
    fx = stack.useFixture(pbase.ProviderFixture())
    node = fx.ironic.add_node('org-a', name='a-node-0')
    yield {'app': fx.app, 'node': node,
           'owner': ubase.Client(fx.app, project='org-a',
                                 roles='manager,member,reader')}
    stack.cleanUp()


def assert_clear_4xx(resp, status=400, fragment=None):
    assert resp.status_code == status, resp.body
    assert resp.content_type == 'application/json'
    [error] = json.loads(resp.body)['errors']
    assert error['status'] == status
    # (A 404 names the path's id, however long the client made it.)
    assert error['detail'] and len(error['detail']) < 6000
    if fragment:
        assert fragment in error['detail'], error['detail']
    return error


def iso_in(hours):
    return mbase.iso(mbase.hours_from_now(hours))


# Market bids

BID_CASES = {
    'negative price': ({'price': -1}, 'price'),
    'zero quantity': ({'quantity': 0}, 'quantity'),
    'huge quantity': ({'quantity': 10 ** 30}, 'quantity'),
    'quantity 2**63': ({'quantity': 2 ** 63}, 'quantity'),
    'negative quantity': ({'quantity': -5}, 'quantity'),
    'quantity as float': ({'quantity': 1.5}, 'quantity'),
    'quantity as string': ({'quantity': '1'}, 'quantity'),
    'huge duration': ({'duration': 10 ** 20}, 'duration'),
    'short duration': ({'duration': 59}, 'duration'),
    'price too large': ({'price': 1e12}, 'price'),
    'price as string': ({'price': '1.0'}, 'price'),
    'price as bool': ({'price': True}, 'price'),
    'unicode resource class': ({'resource_class': 'ノード'},
                               'resource_class'),
    'resource class with newline': ({'resource_class': 'baremetal\n'},
                                    'resource_class'),
    'start in year 9999': ({'start_time': '9999-12-31T23:59:59Z'},
                           'start_time'),
    'start past LATEST': ({'start_time': '2300-01-01T00:00:00Z'},
                          'start_time'),
    'start beyond max_advance_days': ({'start_time': iso_in(24 * 3650)},
                                      'start_time'),
    'start in the past': ({'start_time': '2001-01-01T00:00:00Z'},
                          'start_time'),
    'impossible date': ({'start_time': '2026-13-45T25:61:00Z'},
                        'start_time'),
    'not a time': ({'start_time': 'now'}, 'start_time'),
    'extended year': ({'start_time': '+275760-09-13T00:00:00Z'},
                      'start_time'),
    # Found by the fuzzer: the offset takes year 1 below datetime.min.
    'offset before year 1': ({'start_time': '0001-01-01T00:00:00+00:50'},
                             'start_time'),
    'offset after year 9999': ({'start_time': '9999-12-31T23:59:59-01:00'},
                               'start_time'),
    'latest start before start': ({'start_time': iso_in(5),
                                   'latest_start_time': iso_in(3)},
                                  'latest_start_time'),
    'decide_by after latest start': ({'decide_by': iso_in(10)},
                                     'decide_by'),
    'constraint with unicode property': (
        {'constraints': [{'property': 'cpü', 'op': '==', 'value': 1}]},
        'constraints'),
    'constraint with unknown op': (
        {'constraints': [{'property': 'cpus', 'op': '=~', 'value': 1}]},
        'constraints'),
    'unknown field': ({'project_id': 'org-a'}, 'project_id'),
    'too many constraints': ({'constraints': [
        {'property': 'cpus', 'op': '>=', 'value': 1}] * 100},
        'constraints'),
}


@pytest.mark.parametrize('case', sorted(BID_CASES))
def test_bid(market, case):
    change, fragment = BID_CASES[case]
    body = dict(mbase.bid_body(), **change)
    assert_clear_4xx(market['bidder'].post('/v1/bids', body),
                     fragment=fragment)


RAW_BIDS = {
    'NaN price': '"price": NaN',
    'Infinity price': '"price": Infinity',
    '-Infinity price': '"price": -Infinity',
    'overflowing price': '"price": 1e400',
    'overflowing quantity': '"quantity": 1' + '0' * 5000,
}


@pytest.mark.parametrize('case', sorted(RAW_BIDS))
def test_bid_raw_numbers(market, case):
    body = mbase.bid_body()
    key = RAW_BIDS[case].split('"')[1]
    body.pop(key)
    raw = json.dumps(body)[:-1] + ', ' + RAW_BIDS[case] + '}'
    assert_clear_4xx(market['bidder'].post('/v1/bids', raw=raw))


def test_oversize_bodies(market, provider):
    for client, path in ((market['bidder'], '/v1/bids'),
                         (market['service'], '/v1/offers'),
                         (provider['owner'], '/v1/offers'),
                         (provider['owner'], '/v1/leases')):
        resp = client.post(path, {'a': BIG})
        assert_clear_4xx(resp, 413)


def test_unicode_and_garbage_bodies(market):
    for raw in (r'{"quantity": "\ud800"}', '\ufeff{}', r'{"a": "\u0000"}',
                b'\xff\xfe{\x00}\x00', '[]', '"text"', '1', 'null'):
        assert_clear_4xx(market['bidder'].post('/v1/bids', raw=raw))


# Market offers (service)

OFFER_CASES = {
    'end before start': ({'start_time': iso_in(10), 'end_time': iso_in(5)},
                         'end_time'),
    'end equals start': ({'start_time': iso_in(10), 'end_time': iso_in(10)},
                         'end_time'),
    'end far in the future': ({'end_time': '2199-12-31T00:00:00Z'},
                              'days'),
    'negative price': ({'price': -0.01}, 'price'),
    'unicode project': ({'project_id': 'org-ä'}, 'project_id'),
    'project with newline': ({'project_id': 'org-a\n'}, 'project_id'),
    'resource uuid not a uuid': ({'resource_uuid': 'not-a-uuid'},
                                 'resource_uuid'),
    'huge cpus': ({'properties': {'cpus': 10 ** 40}}, 'cpus'),
    'unicode property name': ({'properties': {'ключ': 1}}, 'properties'),
    'resource type': ({'resource_type': 'vm'}, 'resource_type'),
}


@pytest.mark.parametrize('case', sorted(OFFER_CASES))
def test_offer(market, case):
    change, fragment = OFFER_CASES[case]
    body = dict(mbase.offer_body(), **change)
    assert_clear_4xx(market['service'].post('/v1/offers', body),
                     fragment=fragment)


QUERIES = ['limit=-1', 'limit=0', 'limit=' + '9' * 40, 'limit=abc',
           'limit=1e3', 'sort_key=id', 'sort_dir=sideways',
           'status=%E2%9C%93', 'starts_after=9999-99-99',
           'starts_after=%00', 'ends_before=' + '9' * 100,
           'limit=1&limit=2', 'nope=1', 'marker=%27%20OR%201%3D1']


@pytest.mark.parametrize('path', ['/v1/offers', '/v1/bids',
                                  '/v1/contracts'])
@pytest.mark.parametrize('query', QUERIES)
def test_market_list_queries(market, path, query):
    resp = market['bidder'].get(f'{path}?{query}')
    assert_clear_4xx(resp)


@pytest.mark.parametrize('query', ['since=-1', 'since=' + '9' * 30,
                                   'since=x', 'limit=0'])
def test_market_event_queries(market, query):
    assert_clear_4xx(market['bidder'].get(f'/v1/events?{query}'))


@pytest.mark.parametrize('path', [
    '/v1/bids/%27%20OR%201%3D1', '/v1/bids/' + 'a' * 5000,
    '/v1/offers/%E2%9C%93', '/v1/contracts/..%2F..%2Fetc%2Fpasswd',
    '/v1/nope', '/v1/bids/x/y'])
def test_market_odd_paths(market, path):
    assert_clear_4xx(market['bidder'].get(path), 404)


def test_market_nul_path_id(market):
    # Refused before any lookup (PostgreSQL stores no NUL: it was a 500).
    assert_clear_4xx(market['bidder'].get('/v1/bids/%00'), 400, 'NUL')


# Provider

def provider_window(**change):
    start = pbase.from_now(minutes=1)
    body = {'start_time': pbase.iso(start),
            'end_time': pbase.iso(pbase.from_now(hours=4))}
    body.update(change)
    return body


PROVIDER_CASES = {
    'end before start': {'start_time': iso_in(10), 'end_time': iso_in(5)},
    'start in the past': {'start_time': '2001-01-01T00:00:00Z'},
    'far future': {'end_time': '9999-01-01T00:00:00Z'},
    'window too long': {'end_time': iso_in(24 * 1000)},
    'offset before year 1': {'start_time': '0001-01-01T00:00:00+00:50'},
    'unicode node': {'node': 'ノード'},
    'node with newline': {'node': 'a-node-0\n'},
    'empty node': {'node': ''},
}


@pytest.mark.parametrize('case', sorted(PROVIDER_CASES))
def test_provider_offer(provider, case):
    body = dict(provider_window(), node=provider['node'].id, price=1.0)
    body.update(PROVIDER_CASES[case])
    assert_clear_4xx(provider['owner'].post('/v1/offers', body))


@pytest.mark.parametrize('price', [-1, 1e10, '1', None, [], {}])
def test_provider_offer_price(provider, price):
    body = dict(provider_window(), node=provider['node'].id, price=price)
    assert_clear_4xx(provider['owner'].post('/v1/offers', body),
                     fragment='price')


@pytest.mark.parametrize('raw', ['NaN', 'Infinity', '-Infinity', '1e999'])
def test_provider_offer_nonfinite_price(provider, raw):
    body = dict(provider_window(), node=provider['node'].id)
    text = json.dumps(body)[:-1] + f', "price": {raw}}}'
    assert_clear_4xx(provider['owner'].post('/v1/offers', raw=text))


@pytest.mark.parametrize('case', sorted(PROVIDER_CASES))
def test_provider_lease(provider, case):
    body = dict(provider_window(), node=provider['node'].id,
                project_id='org-a-dev')
    body.update(PROVIDER_CASES[case])
    assert_clear_4xx(provider['owner'].post('/v1/leases', body))


def test_provider_lease_unicode_project(provider):
    body = dict(provider_window(), node=provider['node'].id,
                project_id='org-ä-dev')
    assert_clear_4xx(provider['owner'].post('/v1/leases', body),
                     fragment='project_id')


# Tokens, through keystonemiddleware

MALFORMED_TOKENS = ['', 'null', 'x' * 10000, 'token-admin\u00e9',
                    'Bearer token-admin', 'gAAAAA' + 'A' * 180, '%00',
                    '{"token": 1}', '..']


@pytest.fixture(scope='module', params=['market', 'auction', 'provider'])
def keystone_app(request):
    with harness.target(request.param, keystone=True) as (app, _):
        # The harness added the fixture's tokens.
        yield app


@pytest.mark.parametrize('token', MALFORMED_TOKENS)
def test_malformed_tokens_are_401(keystone_app, token):
    client = ubase.Client(keystone_app)
    client.headers = {'X-Auth-Token': token}
    for path in ('/v1/offers', '/v1/rounds', '/v1/leases'):
        resp = client.get(path)
        if resp.status_code == 404:  # not this API's path
            continue
        assert_clear_4xx(resp, 401)
        assert 'keystone.example.com' in resp.headers['WWW-Authenticate']


def test_non_utf8_body_reaches_the_handler(market, provider):
    """The handler says what is wrong (pecan used to answer first, with
    its own words and a traceback in the log)."""
    for client, path in ((market['bidder'], '/v1/bids'),
                         (provider['owner'], '/v1/leases')):
        assert_clear_4xx(client.post(path, raw=b'{"a": "\xff\xfe"}'),
                         fragment='not UTF-8')
