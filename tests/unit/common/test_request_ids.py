"""Request ids: one INFO line per API request, every line of a request
naming that request (concurrent requests included), and the global request
id passed on over RPC and to Ironic."""

import logging
import random
import threading
import time
import types
import uuid
import json

from cheroot import wsgi as cheroot_wsgi
from keystoneauth1 import noauth
from keystoneauth1 import session as ks_session
import openstack.connection
from oslo_context import context as oslo_context
from oslo_log import formatters
import oslo_messaging as messaging
import pecan
import testtools
import webob

from flocx_common.api import app as common_app
from flocx_common import context
from flocx_common import rpc
from flocx_local import openstack as local_openstack
from flocx_market import conf as market_conf
from flocx_provider import ironic
from tests.unit import base
from tests.unit.market import base as market_base

LOG = logging.getLogger('flocx.tests.handler')


class _Lines(logging.Handler):
    """Each record formatted as oslo.log writes it, in the emitting thread
    (the formatter reads the thread's current oslo.context)."""

    def __init__(self, conf):
        super().__init__(logging.DEBUG)
        self.setFormatter(formatters.ContextFormatter(
            project='flocx', version='test', config=conf))
        self.lines = []
        self._lock = threading.Lock()

    def emit(self, record):
        line = self.format(record)
        with self._lock:
            self.lines.append(line)


def _capture(test, conf):
    handler = _Lines(conf)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    test.addCleanup(root.removeHandler, handler)
    test.addCleanup(root.setLevel, old_level)
    return handler


class _Root:
    """A handler that logs before and after a short sleep, so that the
    requests of several threads interleave."""

    @pecan.expose('json')
    def _default(self, marker, *rest):
        LOG.info('handler start %s', marker)
        time.sleep(random.uniform(0, 0.01))
        LOG.warning('handler end %s', marker)
        return {'marker': marker}


def _new_global_id():
    return f'req-{uuid.uuid4()}'


class RequestLogTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        tmp = self.useFixture(base.fixtures.TempDir()).path
        self.conf = self.useFixture(base.ConfFixture(
            market_conf.register_opts, auth_strategy='noauth',
            **{'database.connection': f'sqlite:///{tmp}/m.sqlite'})).conf
        services = types.SimpleNamespace(enforcer=None, conf=self.conf)
        self.app = common_app.build_wsgi_app(
            self.conf, _Root(), services, 'marketplace', None, None)
        self.lines = _capture(self, self.conf)

    def _get(self, path, global_id=None):
        req = webob.Request.blank(path)
        if global_id:
            req.headers['X-OpenStack-Request-ID'] = global_id
        resp = req.get_response(self.app)
        resp.body  # the body is sent: the request line is written now
        return resp

    def test_one_info_line_per_request(self):
        resp = self._get('/m-one?price=12.34')
        self.assertEqual(200, resp.status_code)
        request_id = resp.headers['x-openstack-request-id']
        access = [line for line in self.lines.lines
                  if '"GET /m-one" status: 200' in line]
        self.assertEqual(1, len(access), self.lines.lines)
        self.assertIn(' INFO flocx.api.request ', access[0])
        self.assertIn(request_id, access[0])
        self.assertRegex(access[0], r'time: \d+\.\d{4}$')
        # The query string (filters may hold prices) is not logged.
        self.assertNotIn('12.34', '\n'.join(self.lines.lines))

    def test_concurrent_requests_each_log_their_own_ids(self):
        results = {}  # marker -> (request id, global id or None)
        errors = []

        def client(thread):
            try:
                for i in range(15):
                    marker = f'm-{thread}-{i}'
                    global_id = _new_global_id() if i % 2 else None
                    resp = self._get(f'/{marker}', global_id)
                    assert resp.status_code == 200, resp.body
                    results[marker] = (
                        resp.headers['x-openstack-request-id'], global_id)
            except Exception as e:  # reported by the main thread
                errors.append(e)

        threads = [threading.Thread(target=client, args=(t,))
                   for t in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual([], errors)
        self.assertEqual(8 * 15, len(results))
        all_ids = {rid for rid, _ in results.values()}
        self.assertEqual(len(results), len(all_ids))
        for marker, (request_id, global_id) in results.items():
            mine = [line for line in self.lines.lines
                    if line.endswith(f' {marker}') or f'/{marker}"' in line]
            # handler start, handler end, the request line
            self.assertEqual(3, len(mine), mine)
            for line in mine:
                self.assertIn(request_id, line)
                if global_id:
                    self.assertIn(global_id, line)
                others = {rid for rid in all_ids if rid in line} - {
                    request_id}
                self.assertEqual(set(), others, line)
        # Every line logged while serving names some request of this test.
        for line in self.lines.lines:
            if 'handler ' in line or 'flocx.api.request' in line:
                self.assertTrue(any(rid in line for rid in all_ids), line)

    def test_thread_names_no_request_after_serving(self):
        self._get('/m-after')
        self.assertIsNone(oslo_context.get_current())

    def test_market_api_request_line(self):
        market = self.useFixture(market_base.MarketFixture())
        lines = _capture(self, market.conf)
        client = base.Client(market.app, 'org-a')
        resp = client.get('/v1/offers?limit=5')
        self.assertEqual(200, resp.status_code)
        access = [line for line in lines.lines if 'flocx.api.request' in line]
        self.assertEqual(1, len(access), lines.lines)
        self.assertIn('"GET /v1/offers" status: 200', access[0])
        self.assertIn(resp.headers['x-openstack-request-id'], access[0])
        self.assertRegex(access[0], r'microversion: 1\.\d+ ')


class _Echo:
    """An RPC endpoint that logs and answers the ids it was called with."""

    target = messaging.Target(version='1.0')

    def echo(self, ctx):
        LOG.info('rpc echo served')
        current = oslo_context.get_current()
        return {'request_id': ctx.request_id,
                'global_request_id': ctx.global_request_id,
                'current': current.request_id if current else None}


class RpcContextTest(testtools.TestCase):

    def test_rpc_server_serves_under_callers_ids(self):
        conf = self.useFixture(base.ConfFixture(
            market_conf.register_opts)).conf
        lines = _capture(self, conf)
        server = rpc.get_server(conf, 'flocx-test-echo', [_Echo()],
                                server='echo')
        server.start()
        self.addCleanup(server.wait)
        self.addCleanup(server.stop)
        client = rpc.get_client(conf, 'flocx-test-echo', '1.0', timeout=10)
        global_id = _new_global_id()
        ctx = context.RequestContext(global_request_id=global_id,
                                     overwrite=False)
        answer = client.call(ctx, 'echo')
        self.assertEqual({'request_id': ctx.request_id,
                          'global_request_id': global_id,
                          'current': ctx.request_id}, answer)
        served = [line for line in lines.lines if 'rpc echo served' in line]
        self.assertEqual(1, len(served))
        self.assertIn(ctx.request_id, served[0])
        self.assertIn(global_id, served[0])


class _FakeIronicApp:
    """Just enough of Ironic's API for get_owned_node; records the
    X-OpenStack-Request-ID of every request for a node."""

    def __init__(self, node_id):
        self.node_id = node_id
        self.request_ids = []

    def __call__(self, environ, start_response):
        path = environ['PATH_INFO'].rstrip('/')
        if path.startswith('/v1/nodes'):
            # (keystoneauth's version discovery sends no request id)
            self.request_ids.append(
                environ.get('HTTP_X_OPENSTACK_REQUEST_ID'))
        version = {'id': 'v1', 'status': 'CURRENT', 'version': '1.80',
                   'min_version': '1.1',
                   'links': [{'rel': 'self',
                              'href': f'{self.base}/v1/'}]}
        if path == '':
            body = {'versions': [version], 'default_version': version}
        elif path == '/v1':
            body = {'id': 'v1', 'version': version}
        elif path == f'/v1/nodes/{self.node_id}':
            body = {'uuid': self.node_id, 'name': 'n1', 'owner': 'org-a',
                    'lessee': None, 'provision_state': 'available',
                    'links': []}
        else:
            start_response('404 Not Found',
                           [('Content-Type', 'application/json')])
            return [b'{"error_message": "{}"}']
        start_response('200 OK', [('Content-Type', 'application/json'),
                                  ('X-OpenStack-Ironic-API-Version', '1.80')])
        return [json.dumps(body).encode()]


class IronicRequestIdTest(testtools.TestCase):

    def test_ironic_receives_the_global_request_id(self):
        node_id = str(uuid.uuid4())
        fake = _FakeIronicApp(node_id)
        port = local_openstack.free_port()
        fake.base = f'http://127.0.0.1:{port}'
        server = cheroot_wsgi.Server(('127.0.0.1', port), fake, numthreads=2)
        server.prepare()
        thread = threading.Thread(target=server.serve, daemon=True)
        thread.start()
        self.addCleanup(server.stop)
        conn = openstack.connection.Connection(
            session=ks_session.Session(auth=noauth.NoAuth()),
            baremetal_endpoint_override=fake.base + '/')

        global_id = _new_global_id()
        ctx = context.RequestContext(global_request_id=global_id)
        self.addCleanup(setattr, oslo_context._request_store, 'context',
                        None)
        node = ironic.get_owned_node(conn, node_id, 'org-a')
        self.assertEqual(node_id, node.id)
        self.assertTrue(fake.request_ids)
        self.assertEqual({global_id}, set(fake.request_ids))

        # Without a global id the request's own id is the global one.
        fake.request_ids.clear()
        ctx = context.RequestContext()
        ironic.get_owned_node(conn, node_id, 'org-a')
        self.assertEqual({ctx.request_id}, set(fake.request_ids))
        # The shared connection itself was left alone.
        self.assertIsNone(conn._global_request_id)

