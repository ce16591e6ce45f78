"""Run ``openstack market ...`` in process against the real FLOCX APIs.

The market, auction and provider WSGI apps (noauth, SQLite, fake RPC
transport, fake Ironic behind the provider) are each served by cheroot on a
loopback port, so the commands go through osc's real option parsing,
clouds.yaml loading, keystoneauth session and HTTP. A stub that records
requests and answers from a table serves what cannot run in process (the
auction engine behind "round start") and odd answers (a proxy's 502).
"""

import contextlib
import io
import json
import logging
import os
import threading

from cheroot import wsgi
import fixtures
from openstackclient import shell
from osc_lib import clientmanager
import webob

from flocx_auction.api import app as auction_app
from flocx_auction import conf as auction_conf
from tests.unit import base
from tests.unit.market import base as market_base
from tests.unit.provider import base as provider_base


class LoopbackServer(fixtures.Fixture):
    """A WSGI app served on 127.0.0.1:<free port> from a thread."""

    def __init__(self, app):
        self.app = app

    def _setUp(self):
        # Not flocx_common.server.make_server: its SO_REUSEPORT cannot bind
        # port 0, and a fixed port would clash between parallel tests.
        server = wsgi.Server(('127.0.0.1', 0), self.app, numthreads=4,
                             shutdown_timeout=0.1)
        # Its selector loop notices stop() only this often: keep teardown
        # quick.
        server.expiration_interval = 0.02
        server.prepare()
        threading.Thread(target=server.serve, daemon=True).start()
        self.addCleanup(server.stop)
        self.url = f'http://127.0.0.1:{server.bind_addr[1]}'


def token_as_identity(app):
    """keystonemiddleware's stand-in: token "<project>:<roles>" -> identity.

    The market's NoAuth middleware then reads these headers.
    """
    def middleware(environ, start_response):
        project, _, roles = environ.get('HTTP_X_AUTH_TOKEN', '').partition(':')
        environ['HTTP_X_PROJECT_ID'] = project
        environ['HTTP_X_ROLES'] = roles
        environ['HTTP_X_USER_ID'] = f'{project}-user'
        return app(environ, start_response)
    return middleware


class StubAPI:
    """Canned answers per (method, path); every request is recorded."""

    def __init__(self):
        self.answers = {}
        self.requests = []

    def answer(self, method, path, body, status=200):
        self.answers[(method, path)] = (status, body)

    def __call__(self, environ, start_response):
        req = webob.Request(environ)
        self.requests.append({
            'method': req.method, 'path': req.path, 'query': dict(req.GET),
            'json': json.loads(req.body) if req.body else None,
            'version': req.headers.get('OpenStack-API-Version'),
            'token': req.headers.get('X-Auth-Token'),
            'global_request_id': req.headers.get('X-OpenStack-Request-ID')})
        status, body = self.answers.get(
            (req.method, req.path),
            (404, {'errors': [{'status': 404, 'title': 'Not Found',
                               'detail': 'The resource could not be found.',
                               'code': 'flocx.http_404'}]}))
        resp = webob.Response(status=status, json_body=body)
        return resp(environ, start_response)


CLOUDS_YAML = """
clouds:
  flocx-test:
    auth_type: admin_token
    auth:
      endpoint: {marketplace}
      token: org-b:member,reader
    marketplace_endpoint_override: {marketplace}
    auction_endpoint_override: {auction}
    provider_endpoint_override: {provider}
"""


class CLITestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        # The provider fixture brings a market serving RPC, as the provider
        # and the auction API need.
        self.provider = self.useFixture(provider_base.ProviderFixture())
        self.market = self.provider.market
        self.auction_conf = self.useFixture(base.ConfFixture(
            auction_conf.register_opts, auth_strategy='noauth')).conf
        self.stub = StubAPI()
        apps = {'marketplace': self.market.app,
                'auction': auction_app.setup_app(self.auction_conf),
                'provider': self.provider.app, 'stub': self.stub}
        self.urls = {name: self.useFixture(LoopbackServer(
            token_as_identity(app))).url for name, app in apps.items()}
        # Direct, in-process clients for arranging state.
        self.service = base.Client(self.market.app, project='service',
                                   roles='service')
        self.org_b = base.Client(self.market.app, project='org-b')

        # The developer's own OS_* settings and clouds.yaml stay out.
        for name in os.environ:
            if name.startswith('OS_'):
                self.useFixture(fixtures.EnvironmentVariable(name))
        self.use_endpoints()

    def use_endpoints(self, **overrides):
        """Write clouds.yaml, with e.g. auction='stub' to use the stub."""
        urls = {name: self.urls[overrides.get(name, name)]
                for name in ('marketplace', 'auction', 'provider')}
        tmp = self.useFixture(fixtures.TempDir()).path
        clouds = os.path.join(tmp, 'clouds.yaml')
        with open(clouds, 'w') as f:
            f.write(CLOUDS_YAML.format(**urls))
        self.useFixture(fixtures.EnvironmentVariable(
            'OS_CLIENT_CONFIG_FILE', clouds))
        self.useFixture(fixtures.EnvironmentVariable('OS_CLOUD',
                                                     'flocx-test'))

    def run_cli(self, *argv, project='org-b', roles='member,reader'):
        """(exit code, stdout, stderr) of ``openstack <argv>``."""
        # osc caches each plugin's client on the ClientManager class, i.e.
        # per process: forget it so that this run gets its own session.
        vars(clientmanager.ClientManager)['market']._handle = None
        out, err = io.StringIO(), io.StringIO()
        root_logger = logging.getLogger()
        handlers = list(root_logger.handlers)
        try:
            with contextlib.redirect_stdout(out), \
                    contextlib.redirect_stderr(err):
                code = shell.OpenStackShell().run(
                    ['--os-token', f'{project}:{roles}', *argv])
        except SystemExit as e:  # argparse refusing an option, or --help
            code = 0 if e.code is None else e.code
        finally:
            # Each shell adds a console log handler to the root logger.
            root_logger.handlers[:] = handlers
        return code, out.getvalue(), err.getvalue()

    def cli(self, *argv, **identity):
        """The stdout of a command that must succeed."""
        code, out, err = self.run_cli(*argv, **identity)
        self.assertEqual(0, code, f'openstack {" ".join(argv)}: {err}')
        return out

    def cli_json(self, *argv, **identity):
        return json.loads(self.cli(*argv, '-f', 'json', **identity))

    def cli_error(self, *argv, **identity):
        """The stderr of a command that must fail."""
        code, out, err = self.run_cli(*argv, **identity)
        self.assertNotEqual(0, code, out)
        return err

    def make_offer(self, **kw):
        resp = self.service.post('/v1/offers', market_base.offer_body(**kw))
        self.assertEqual(201, resp.status_code, resp.body)
        return resp.json
