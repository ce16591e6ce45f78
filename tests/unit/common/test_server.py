"""flocx_common.server: the noauth guard, uWSGI's arguments, and a real
flocx-market-api process under uWSGI."""

import collections
import datetime
import http.client
import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import time

import fixtures
import testtools

from flocx_common import server
from flocx_local import openstack
from flocx_market import conf as market_conf
from tests.unit import base

API = pathlib.Path(sys.executable).with_name('flocx-market-api')
DBSYNC = pathlib.Path(sys.executable).with_name('flocx-market-dbsync')


def _conf(**overrides):
    return base.ConfFixture(market_conf.register_opts, **overrides)


class AuthExposureTest(testtools.TestCase):

    def test_noauth_on_loopback_is_allowed(self):
        for host in ('127.0.0.1', '::1', 'localhost'):
            conf = self.useFixture(_conf(auth_strategy='noauth',
                                         **{'api.host_ip': host})).conf
            server.check_auth_exposure(conf)

    def test_noauth_on_public_address_is_refused(self):
        conf = self.useFixture(_conf(auth_strategy='noauth',
                                     **{'api.host_ip': '0.0.0.0'})).conf
        self.assertRaisesRegex(server.InsecureNoAuth, 'allow_insecure_noauth',
                               server.check_auth_exposure, conf)

    def test_insisting_operator_gets_loud_warnings(self):
        conf = self.useFixture(_conf(
            auth_strategy='noauth', **{'api.host_ip': '10.1.2.3',
                                       'api.allow_insecure_noauth': True})).conf
        logs = self.useFixture(fixtures.FakeLogger(name=server.__name__))
        server.check_auth_exposure(conf)
        self.assertEqual(3, logs.output.count('INSECURE'))

    def test_keystone_on_public_address_is_fine(self):
        conf = self.useFixture(_conf(**{'api.host_ip': '0.0.0.0'})).conf
        server.check_auth_exposure(conf)


class UwsgiArgsTest(testtools.TestCase):

    def _args(self, **overrides):
        args = server.uwsgi_args(self.useFixture(_conf(**overrides)).conf)
        return dict(zip(args, args[1:]))

    def test_listens_where_configured(self):
        args = self._args(**{'api.host_ip': '192.0.2.7', 'api.port': 9999,
                             'api.workers': 3, 'api.threads': 2})
        self.assertEqual('192.0.2.7:9999', args['--http'])
        self.assertEqual('3', args['--processes'])
        self.assertEqual('2', args['--threads'])
        self.assertEqual('flocx_common.uwsgi_worker:application',
                         args['--module'])

    def test_ipv6_address_is_bracketed(self):
        args = self._args(**{'api.host_ip': '::1', 'api.port': 8081})
        self.assertEqual('[::1]:8081', args['--http'])

    def test_backlog_never_exceeds_somaxconn(self):
        self.assertLessEqual(server.listen_backlog(), 1024)
        self.assertGreaterEqual(server.listen_backlog(), 1)


class UwsgiProcessTest(testtools.TestCase):
    """flocx-market-api as an operator runs it: uWSGI, two workers."""

    def setUp(self):
        super().setUp()
        tmp = pathlib.Path(self.useFixture(fixtures.TempDir()).path)
        self.port = openstack.free_port()
        self.conf_file = tmp / 'market.conf'
        self.conf_file.write_text(
            '[DEFAULT]\nauth_strategy = noauth\ntransport_url = fake:/\n'
            f'log_file = {tmp}/api.log\n'
            f'[api]\nhost_ip = 127.0.0.1\nport = {self.port}\nworkers = 2\n'
            f'[database]\nconnection = sqlite:///{tmp}/market.sqlite\n'
            '[oslo_messaging_notifications]\ndriver = noop\n')
        subprocess.run([str(DBSYNC), '--config-file', str(self.conf_file),
                        'upgrade'], check=True, capture_output=True)
        self.log = open(tmp / 'api.out', 'w+')
        self.addCleanup(self.log.close)

    def _start(self, *extra):
        proc = subprocess.Popen(
            [str(API), '--config-file', str(self.conf_file), *extra],
            stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True)
        self.addCleanup(self._kill_group, proc)
        return proc

    @staticmethod
    def _kill_group(proc):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()

    def _connect(self, proc, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            self.assertIsNone(proc.poll(), self._output()[-3000:])
            conn = http.client.HTTPConnection('127.0.0.1', self.port,
                                              timeout=10)
            try:
                conn.request('GET', '/healthcheck')
                conn.getresponse().read()
                return conn
            except OSError:
                conn.close()
                self.assertLess(time.monotonic(), deadline, self._output())
                time.sleep(0.2)

    def _output(self):
        self.log.seek(0)
        return self.log.read()

    def _wait_for_workers(self, proc, count, timeout=60):
        # A SIGTERM while a worker still builds its application makes
        # uWSGI exit with an error (the app failed to load): wait for all.
        deadline = time.monotonic() + timeout
        while self._output().count('WSGI app 0 ') < count:
            self.assertIsNone(proc.poll(), self._output())
            self.assertLess(time.monotonic(), deadline, self._output())
            time.sleep(0.2)

    def test_serves_keep_alive_and_stops_on_sigterm(self):
        proc = self._start()
        conn = self._connect(proc)
        self._wait_for_workers(proc, 2)
        headers = {'X-Project-Id': 'org-b', 'X-Roles': 'member,reader'}
        # Several requests on one connection: HTTP/1.1 keep-alive.
        for path, status in (('/v1/offers', 200), ('/v1/bids', 200),
                             ('/v1/nowhere', 404)):
            conn.request('GET', path, headers=headers)
            resp = conn.getresponse()
            body = resp.read()
            self.assertEqual(status, resp.status, body)
            self.assertEqual('application/json',
                             resp.getheader('Content-Type'))
        # Idle keep-alive connections, one more than there are worker
        # threads, hold nothing: other clients are answered at once (uWSGI's
        # HTTP router holds the connections, not the workers), and the idle
        # ones are still usable.
        idle = [conn]
        for _ in range(2):
            idle.append(http.client.HTTPConnection('127.0.0.1', self.port,
                                                   timeout=10))
            idle[-1].request('GET', '/v1/offers', headers=headers)
            resp = idle[-1].getresponse()
            resp.read()
            self.assertEqual(200, resp.status)
        for _ in range(3):
            started = time.monotonic()
            other = http.client.HTTPConnection('127.0.0.1', self.port,
                                               timeout=10)
            other.request('GET', '/v1/offers', headers=headers)
            resp = other.getresponse()
            resp.read()
            self.assertEqual(200, resp.status)
            other.close()
            self.assertLess(time.monotonic() - started, 1.0)
        for conn in idle:
            conn.request('GET', '/v1/offers', headers=headers)
            resp = conn.getresponse()
            resp.read()
            self.assertEqual(200, resp.status)
            conn.close()
        proc.send_signal(signal.SIGTERM)
        self.assertEqual(0, proc.wait(timeout=15), self._output())
        # No worker outlives the master: the port is free again.
        self.assertRaises(OSError, self._connect_once)

    def _send(self, body, headers=None):
        """The status line and body of a POST /v1/bids whose body is sent
        whole, as a client sends it; or the error that cut it short."""
        head = ('POST /v1/bids HTTP/1.1\r\nHost: 127.0.0.1\r\n'
                'Content-Type: application/json\r\nX-Project-Id: org-b\r\n'
                'X-Roles: member,reader\r\n'
                + ''.join(f'{k}: {v}\r\n' for k, v in (headers or {}).items())
                + f'Content-Length: {len(body)}\r\n'
                'Connection: close\r\n\r\n').encode()
        with socket.create_connection(('127.0.0.1', self.port),
                                      timeout=30) as s:
            try:
                s.sendall(head + body)
                answer = b''
                while data := s.recv(65536):
                    answer += data
            except OSError as e:
                return repr(e), b''
        status, _, rest = answer.partition(b'\r\n')
        return status.decode(), rest.partition(b'\r\n\r\n')[2]

    def test_bodies_larger_than_the_routers_buffer_are_answered(self):
        """uWSGI's HTTP router hands a worker the headers and what came
        with them in one packet of at most 64 KiB: when its first read from
        the client took in more (a body over ~64 KiB sent at once), it
        dropped the connection, and the client saw a reset instead of the
        answer (a 2 MiB bid: the 413 in 2 of 3 tries behind the real
        Keystone, issue 11)."""
        proc = self._start()
        self._connect(proc).close()
        self._wait_for_workers(proc, 2)
        start = datetime.datetime.now(datetime.timezone.utc) + \
            datetime.timedelta(hours=2)
        bid = json.dumps({'quantity': 1, 'resource_class': 'baremetal',
                          'duration': 3600, 'price': 2.0,
                          'start_time': start.strftime('%Y-%m-%dT%H:%M:%SZ')
                          }).encode()
        within_limit = bid + b' ' * (100 * 1024 - len(bid))
        statuses = collections.Counter()
        for body in (within_limit, b'x' * (2 * 1024 * 1024)):
            for _ in range(10):
                statuses[self._send(body)[0]] += 1
        self.assertEqual({'HTTP/1.1 201 Created': 10,
                          'HTTP/1.1 413 Request Entity Too Large': 10},
                         dict(statuses), self._output()[-2000:])
        # Headers of 16 KiB (long tokens) still fit the router's buffer.
        status, body = self._send(bid, headers={'X-Long': 'x' * 16384})
        self.assertEqual('HTTP/1.1 201 Created', status, body)

    def _connect_once(self):
        conn = http.client.HTTPConnection('127.0.0.1', self.port, timeout=2)
        try:
            conn.request('GET', '/healthcheck')
            conn.getresponse()
        finally:
            conn.close()

    def test_noauth_on_public_address_does_not_start(self):
        self.conf_file.write_text(self.conf_file.read_text().replace(
            'host_ip = 127.0.0.1', 'host_ip = 0.0.0.0'))
        proc = self._start()
        self.assertNotEqual(0, proc.wait(timeout=60))
        self.assertIn('Refusing to serve with auth_strategy=noauth',
                      self._output())
