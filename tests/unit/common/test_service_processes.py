"""The services as an operator runs them: each API from its WSGI module
under an external uwsgi, no start without a transport_url, SIGHUP."""

import http.client
import json
import os
import pathlib
import signal
import subprocess
import sys
import time

import fixtures
import testtools

from flocx_local import openstack

BIN = pathlib.Path(sys.executable).parent
REPO = pathlib.Path(__file__).resolve().parents[3]
SERVICES = ('market', 'auction', 'provider')


class _Service(fixtures.Fixture):
    """A config file (noauth, in-process transport, SQLite) and a port."""

    def __init__(self, service, transport_url='fake://', debug=False):
        self.service = service
        self.transport_url = transport_url
        self.debug = debug
        self.extra_env = {}

    def _setUp(self):
        self.tmp = pathlib.Path(self.useFixture(fixtures.TempDir()).path)
        self.port = openstack.free_port()
        self.log_file = self.tmp / 'service.log'
        self.db_file = self.tmp / 'db.sqlite'
        self.conf_file = self.tmp / f'flocx-{self.service}.conf'
        self.write()
        if self.service != 'auction':
            subprocess.run(
                [str(BIN / f'flocx-{self.service}-dbsync'), '--config-file',
                 str(self.conf_file), 'upgrade'],
                check=True, capture_output=True, env=self.env)
        self.out = open(self.tmp / 'stdout', 'w+')
        self.addCleanup(self.out.close)

    @property
    def env(self):
        return dict(os.environ, PYTHONPATH=str(REPO),
                    PYTHONWARNINGS='ignore', **self.extra_env)

    def write(self):
        transport = (f'transport_url = {self.transport_url}\n'
                     if self.transport_url else '')
        self.conf_file.write_text(
            f'[DEFAULT]\nauth_strategy = noauth\n{transport}'
            f'debug = {self.debug}\nlog_file = {self.log_file}\n'
            f'[api]\nhost_ip = 127.0.0.1\nport = {self.port}\n'
            f'[database]\nconnection = sqlite:///{self.db_file}\n'
            '[oslo_messaging_notifications]\ndriver = noop\n'
            '[market]\nexpire_interval = 1\n')

    def start(self, argv):
        proc = subprocess.Popen(argv, stdout=self.out,
                                stderr=subprocess.STDOUT, env=self.env,
                                start_new_session=True)
        self.addCleanup(self._kill, proc)
        return proc

    @staticmethod
    def _kill(proc):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()

    def output(self):
        self.out.seek(0)
        return self.out.read()

    def log(self):
        return self.log_file.read_text() if self.log_file.exists() else ''

    def get(self, path, proc, timeout=90):
        """(status, headers, body) once the server answers."""
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise AssertionError(f'exited {proc.returncode}: '
                                     f'{self.output()[-3000:]}')
            conn = http.client.HTTPConnection('127.0.0.1', self.port,
                                              timeout=10)
            try:
                conn.request('GET', path, headers={'X-Project-Id': 'org-a'})
                resp = conn.getresponse()
                return resp.status, dict(resp.getheaders()), resp.read()
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError(self.output()[-3000:])
                time.sleep(0.3)
            finally:
                conn.close()

    def wait_for_log(self, text, proc, timeout=90):
        deadline = time.monotonic() + timeout
        while text not in self.log():
            if proc.poll() is not None:
                raise AssertionError(f'exited {proc.returncode}: '
                                     f'{self.output()[-3000:]}')
            if time.monotonic() > deadline:
                raise AssertionError(f'{text!r} not logged: {self.log()}')
            time.sleep(0.2)


def _uwsgi_argv(service, svc):
    """What devstack's write_uwsgi_config writes, as a command line.

    The config file's variable is in uwsgi's environment (the pyuwsgi
    wheel's ``uwsgi`` starts Python before it reads ``--env``).
    """
    service.extra_env[f'FLOCX_{svc.upper()}_CONFIG'] = str(service.conf_file)
    return [str(BIN / 'uwsgi'), '--master', '--processes', '1',
            '--http-socket', f'127.0.0.1:{service.port}',
            '--module', f'flocx_{svc}.wsgi:application',
            '--lazy-apps', '--need-app', '--die-on-term', '--enable-threads',
            '--buffer-size', '65535']


class ExternalUwsgiTest(testtools.TestCase):

    def test_each_api_served_from_its_wsgi_module(self):
        for svc in SERVICES:
            service = self.useFixture(_Service(svc))
            proc = service.start(_uwsgi_argv(service, svc))
            status, headers, body = service.get('/', proc)
            self.assertEqual(200, status, body)
            self.assertEqual('v1', json.loads(body)['versions'][0]['id'])
            status, _, body = service.get('/healthcheck', proc)
            self.assertEqual(200, status, (svc, body))
            request_id = headers['x-openstack-request-id']
            service.wait_for_log(request_id, proc)
            line = next(line for line in service.log().splitlines()
                        if request_id in line)
            self.assertIn('"GET /" status: 200', line)
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)


class NoTransportTest(testtools.TestCase):
    """Without transport_url a service exits with a one-line reason."""

    REASON = 'no [DEFAULT] transport_url is set'

    def test_console_scripts_refuse(self):
        for svc, script in (('market', 'api'), ('market', 'manager'),
                            ('provider', 'manager'), ('auction', 'engine')):
            service = self.useFixture(_Service(svc, transport_url=None))
            proc = service.start([str(BIN / f'flocx-{svc}-{script}'),
                                  '--config-file', str(service.conf_file)])
            self.assertEqual(1, proc.wait(timeout=90), service.output())
            lines = [line for line in service.output().splitlines()
                     if self.REASON in line]
            self.assertEqual(1, len(lines), service.output())
            self.assertTrue(lines[0].startswith(f'flocx-{svc}-{script}: '),
                            lines[0])
            # And nothing else: no traceback.
            self.assertNotIn('Traceback', service.output())

    def test_wsgi_module_refuses(self):
        service = self.useFixture(_Service('market', transport_url=None))
        proc = service.start(_uwsgi_argv(service, 'market'))
        self.assertNotEqual(0, proc.wait(timeout=90))
        # The reason is in the service's log, one line; uwsgi says it could
        # not load the app and stops (--need-app).
        lines = [line for line in service.log().splitlines()
                 if self.REASON in line]
        self.assertTrue(lines, service.log())
        self.assertIn('CRITICAL flocx_common.cmd', lines[0])
        # uwsgi gave up instead of starting the worker again and again.
        self.assertEqual(1, service.output().count('spawned uWSGI worker 1'))


class SighupTest(testtools.TestCase):
    """SIGHUP applies a changed ``debug`` without a restart."""

    def test_manager_mutates_debug(self):
        service = self.useFixture(_Service('market'))
        proc = service.start([str(BIN / 'flocx-market-manager'),
                              '--config-file', str(service.conf_file)])
        service.wait_for_log('flocx-market-manager running', proc)
        self.assertNotIn(' DEBUG ', service.log())
        service.debug = True
        service.write()
        proc.send_signal(signal.SIGHUP)
        service.wait_for_log('Option DEFAULT.debug changed', proc)
        # The options are logged at DEBUG after a reload: DEBUG is on.
        service.wait_for_log(' DEBUG ', proc)
        self.assertIsNone(proc.poll())
        proc.send_signal(signal.SIGTERM)
        self.assertEqual(0, proc.wait(timeout=30), service.output())

    def test_api_under_uwsgi_reloads(self):
        service = self.useFixture(_Service('market'))
        proc = service.start([str(BIN / 'flocx-market-api'),
                              '--config-file', str(service.conf_file)])
        self.assertEqual(200, service.get('/v1/offers', proc)[0])
        self.assertNotIn(' DEBUG ', service.log())
        service.debug = True
        service.write()
        proc.send_signal(signal.SIGHUP)
        # The workers are replaced and read the config afresh.
        service.wait_for_log(' DEBUG ', proc)
        status, headers, _ = service.get('/v1/offers', proc)
        self.assertEqual(200, status)
        service.wait_for_log(headers['x-openstack-request-id'], proc)
        # uWSGI closes inherited descriptors when it starts again: the log
        # lines must not land in the database file.
        self.assertTrue(service.db_file.read_bytes().startswith(
            b'SQLite format 3\x00'))
        self.assertNotIn(b' INFO ', service.db_file.read_bytes())
        proc.send_signal(signal.SIGTERM)
        self.assertEqual(0, proc.wait(timeout=30), service.output())
