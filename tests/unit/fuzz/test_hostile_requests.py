"""The hostile requests of issue 11, each answered with a 4xx (or a quick
503 with Retry-After) and an API-SIG JSON body, never a 500 or a hang.

NUL in a query value or path id, form bodies (multipart without boundary),
DELETE without an id, method override, TRACE and other methods, another
project's uuid as a paging marker, an oversize body over a real socket,
and the auction API with no engine (and no market) answering.
"""

import json
import socket
import threading
import time

import fixtures
import pytest

from flocx_auction.api import app as auction_app
from flocx_auction import conf as auction_conf
from flocx_common import server
from tests.unit import base as ubase
from tests.unit.market import base as mbase
from tests.unit.provider import base as pbase

# Every path of each API, with a placeholder for ids.
PATHS = {
    'market': ['/v1/offers', '/v1/offers/{id}', '/v1/bids', '/v1/bids/{id}',
               '/v1/contracts', '/v1/contracts/{id}', '/v1/events'],
    'provider': ['/v1/offers', '/v1/offers/{id}', '/v1/leases',
                 '/v1/leases/{id}'],
    'auction': ['/v1/rounds', '/v1/rounds/{id}', '/v1/prices',
                '/v1/mechanism'],
}
POSTS = {'market': ['/v1/offers', '/v1/bids'],
         'provider': ['/v1/offers', '/v1/leases'],
         'auction': ['/v1/rounds']}
DELETES = {'market': ['/v1/offers/{id}', '/v1/bids/{id}'],
           'provider': ['/v1/offers/{id}', '/v1/leases/{id}'],
           'auction': []}
SOME_ID = '6a1d5b0e-8d2c-4a57-9a43-8f0e4fd3a2b1'


@pytest.fixture(scope='module')
def apps():
    stack = fixtures.Fixture()
    stack.setUp()
    market = stack.useFixture(mbase.MarketFixture())
    provider = stack.useFixture(pbase.ProviderFixture())
    node = provider.ironic.add_node('org-a', name='a-node-0')
    # An exchange of its own: no engine and no market manager listen
    # there (the provider fixture runs a market manager on the default
    # one), so every RPC of the auction API goes unanswered.
    conf = stack.useFixture(ubase.ConfFixture(
        auction_conf.register_opts, **{
            'auth_strategy': 'noauth', 'control_exchange': 'flocx-nobody',
            'auction.api_answer_timeout': 1.0})).conf
    auction = auction_app.setup_app(conf)
    yield {'market': market.app, 'provider': provider.app,
           'auction': auction, 'node': node, 'provider_fx': provider}
    stack.cleanUp()


def client(app, project='org-a', roles='manager,member,reader'):
    return ubase.Client(app, project=project, roles=roles)


def assert_json_error(resp, status):
    assert resp.status_code == status, (resp.status, resp.body[:300])
    assert resp.content_type == 'application/json', resp.headers
    [error] = json.loads(resp.body)['errors']
    assert error['status'] == status and error['detail'], error
    return error


def all_paths(api):
    return [p.replace('{id}', SOME_ID) for p in PATHS[api]]


@pytest.mark.parametrize('api', sorted(PATHS))
def test_nul_in_query_value_or_path_id(apps, api):
    c = client(apps[api], roles='admin,member,reader')
    for path in PATHS[api]:
        targets = [path.replace('{id}', SOME_ID) + '?marker=%00',
                   path.replace('{id}', SOME_ID) + '?limit=%001',
                   path.replace('{id}', SOME_ID) + '?x%00=1']
        if '{id}' in path:
            targets.append(path.replace('{id}', '%00' + SOME_ID))
            targets.append(path.replace('{id}', SOME_ID + '%00'))
        for target in targets:
            error = assert_json_error(c.get(target), 400)
            assert 'NUL' in error['detail']


@pytest.mark.parametrize('api', ['market', 'provider'])
def test_nul_in_a_json_string(apps, api):
    c = client(apps[api])
    path = {'market': '/v1/bids', 'provider': '/v1/offers'}[api]
    body = (b'{"node": "a\\u0000", "resource_class": "a\\u0000", '
            b'"price": 1, "quantity": 1, "duration": 3600, '
            b'"start_time": "2030-01-01T00:00:00Z"}')
    error = assert_json_error(c.request('POST', path, raw=body), 400)
    assert 'NUL' in error['detail']


@pytest.mark.parametrize('api', sorted(PATHS))
def test_form_bodies_are_refused(apps, api):
    c = client(apps[api], roles='admin,member,reader')
    targets = ([('POST', p) for p in POSTS[api]] +
               [('DELETE', p.replace('{id}', SOME_ID))
                for p in DELETES[api]])
    for method, path in targets:
        for content_type in ('multipart/form-data',
                             'multipart/form-data; boundary=',
                             'multipart/mixed',
                             'application/x-www-form-urlencoded'):
            resp = c.request(method, path, raw=b'--x\r\nname=1\r\n--x--',
                             headers={'Content-Type': content_type})
            assert_json_error(resp, 415)


@pytest.mark.parametrize('api', ['market', 'provider'])
def test_delete_without_an_id(apps, api):
    c = client(apps[api], roles='admin,member,reader')
    for path in PATHS[api]:
        if '{id}' in path:
            continue
        assert_json_error(c.delete(path), 405)
        assert_json_error(c.delete(path + '/'), 405)


@pytest.mark.parametrize('override', ['_method=delete', '_method=DELETE',
                                      '_METHOD=delete',
                                      'X-HTTP-Method-Override=DELETE'])
def test_no_method_override(apps, override):
    provider = client(apps['provider'])
    node = apps['provider_fx'].ironic.add_node('org-a')
    offer = provider.post('/v1/offers', {
        'node': node.id, 'price': 1.5,
        'start_time': pbase.iso(pbase.from_now(minutes=1)),
        'end_time': pbase.iso(pbase.from_now(hours=5))}).json
    path = f"/v1/offers/{offer['uuid']}"
    resp = provider.request('POST', f'{path}?{override}')
    assert_json_error(resp, 400)
    assert provider.get(path).json['status'] == 'open'
    resp = provider.request('POST', path,
                            headers={'X-HTTP-Method-Override': 'DELETE'})
    assert_json_error(resp, 400)
    assert provider.get(path).json['status'] == 'open'


@pytest.mark.parametrize('api', sorted(PATHS))
@pytest.mark.parametrize('method', ['TRACE', 'TRACK', 'CONNECT', 'PROPFIND',
                                    'FOO'])
def test_unknown_methods_get_405(apps, api, method):
    c = client(apps[api], roles='admin,member,reader')
    for path in ['/', '/v1', '/v1/', '/healthcheck'] + all_paths(api):
        resp = c.request(method, path)
        assert_json_error(resp, 405)
        assert resp.headers.get('Allow'), (method, path)


@pytest.mark.parametrize('api', sorted(PATHS))
def test_version_documents_and_healthcheck_are_read_only(apps, api):
    c = client(apps[api])
    for path in ('/', '/v1', '/healthcheck'):
        for method in ('POST', 'PUT', 'PATCH', 'DELETE'):
            assert_json_error(c.request(method, path), 405)
        assert c.get(path).status_code == 200


def test_another_projects_marker_answers_like_an_unknown_one(apps):
    fx = apps['provider_fx']
    owner_b = client(apps['provider'], project='org-b')
    node = fx.ironic.add_node('org-b', name='b-node-marker')
    theirs = owner_b.post('/v1/offers', {
        'node': node.id, 'price': 2.0,
        'start_time': pbase.iso(pbase.from_now(minutes=1)),
        'end_time': pbase.iso(pbase.from_now(hours=5))})
    assert theirs.status_code == 201, theirs.body
    owner_a = client(apps['provider'])
    for path in ('/v1/offers', '/v1/leases'):
        known = owner_a.get(f"{path}?marker={theirs.json['uuid']}")
        unknown = owner_a.get(f'{path}?marker={SOME_ID}')
        assert_json_error(known, 400)
        assert_json_error(unknown, 400)
        detail = json.loads(known.body)['errors'][0]['detail']
        other = json.loads(unknown.body)['errors'][0]['detail']
        assert detail.replace(theirs.json['uuid'], 'X') == \
            other.replace(SOME_ID, 'X')
    # The owner itself pages with it.
    assert owner_b.get(
        f"/v1/offers?marker={theirs.json['uuid']}").status_code == 200


@pytest.mark.parametrize('path,method', [
    ('/v1/status', 'GET'), ('/v1/rounds', 'POST'), ('/v1/rounds', 'GET'),
    (f'/v1/rounds/{SOME_ID}', 'GET'), ('/v1/prices', 'GET')])
def test_auction_without_engine_answers_503_quickly(apps, path, method):
    # The market's admin: system scope (a round needs it).
    c = ubase.Client(apps['auction'], system=True,
                     roles='admin,member,reader')
    began = time.monotonic()
    resp = c.request(method, path)
    took = time.monotonic() - began
    assert_json_error(resp, 503)
    assert int(resp.headers['Retry-After']) > 0
    assert took < 4, took
    # What needs no other service still answers.
    assert c.get('/v1/mechanism').status_code == 200


class RealServer:
    """The market API on a cheroot server on a loopback port."""

    def __init__(self, app):
        with socket.socket() as probe:
            probe.bind(('127.0.0.1', 0))
            port = probe.getsockname()[1]
        self.httpd = server.make_server(app, '127.0.0.1', port, threads=4)
        self.httpd.prepare()
        self.port = self.httpd.bind_addr[1]
        self.thread = threading.Thread(target=self.httpd.serve, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.stop()


def send_big_body(port, size):
    """POST /v1/bids with ``size`` bytes over a plain socket, sending all
    of it as a real client would; the status line we read back, or the
    error that stopped us."""
    head = (f'POST /v1/bids HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n'
            f'Content-Type: application/json\r\nX-Project-Id: org-b\r\n'
            f'X-Roles: member,reader\r\nContent-Length: {size}\r\n'
            f'Connection: close\r\n\r\n').encode()
    with socket.create_connection(('127.0.0.1', port), timeout=20) as s:
        try:
            s.sendall(head)
            chunk = b'x' * 65536
            left = size
            while left:
                n = s.send(chunk[:left])
                left -= n
            answer = b''
            while True:
                data = s.recv(65536)
                if not data:
                    break
                answer += data
        except OSError as e:
            return f'error {e!r}', b''
    status, _, rest = answer.partition(b'\r\n')
    return status.decode(), rest.partition(b'\r\n\r\n')[2]


def test_oversize_body_gets_its_413_over_a_real_socket():
    stack = fixtures.Fixture()
    stack.setUp()
    try:
        # oslo.middleware's default limit (another test may have set it).
        market = stack.useFixture(mbase.MarketFixture(**{
            'oslo_middleware.max_request_body_size': 114688}))
        httpd = RealServer(market.app)
        stack.addCleanup(httpd.stop)
        answers = [send_big_body(httpd.port, 2 * 1024 * 1024)
                   for _ in range(10)]
        statuses = [status for status, _ in answers]
        assert statuses == ['HTTP/1.1 413 Request Entity Too Large'] * 10, \
            statuses
        [error] = json.loads(answers[0][1])['errors']
        assert error['status'] == 413
    finally:
        stack.cleanUp()
