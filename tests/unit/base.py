"""Fast unit-test fixtures: the real WSGI apps on SQLite and fake RPC."""

import io
import json

import fixtures
from oslo_config import cfg
import oslo_messaging
from oslo_messaging import conffixture
import testtools
import webob

from flocx_common import rpc


class ConfFixture(fixtures.Fixture):
    """A fresh ConfigOpts for one service, with test overrides."""

    def __init__(self, register, **overrides):
        self.register = register
        self.overrides = overrides

    def _setUp(self):
        self.conf = cfg.ConfigOpts()
        self.register(self.conf)
        self.conf([], project='flocx')
        messaging = conffixture.ConfFixture(self.conf)
        self.useFixture(messaging)
        messaging.transport_url = 'fake:/'
        self.conf.set_override('driver', ['test'],
                               group='oslo_messaging_notifications')
        for key, value in self.overrides.items():
            group, _, name = key.rpartition('.')
            self.conf.set_override(name, value, group=group or None)
        self.addCleanup(rpc.reset)


class Client:
    """Requests to an in-process WSGI app, as a given project and roles."""

    def __init__(self, app, project='org-a', roles='member,reader',
                 version=None, system=False):
        """``system``: a system-scoped caller (no project)."""
        self.app = app
        if system:
            self.headers = {'OpenStack-System-Scope': 'all',
                            'X-Roles': roles, 'X-User-Id': 'system-user'}
        else:
            self.headers = {'X-Project-Id': project, 'X-Roles': roles,
                            'X-User-Id': f'{project}-user'}
        if version:
            self.headers['OpenStack-API-Version'] = version

    def as_(self, project, roles='member,reader'):
        return Client(self.app, project, roles)

    def request(self, method, path, body=None, headers=None, raw=None):
        req = webob.Request.blank(path, method=method)
        req.headers.update(self.headers)
        if raw is not None:
            req.body = raw if isinstance(raw, bytes) else raw.encode()
            req.content_type = 'application/json'
        elif body is not None:
            req.body = json.dumps(body).encode()
            req.content_type = 'application/json'
        # Explicit headers win, e.g. a test's own Content-Type.
        req.headers.update(headers or {})
        resp = req.get_response(self.app)
        resp.json_body_or_none = (json.loads(resp.body) if resp.body and
                                  resp.content_type == 'application/json'
                                  else None)
        return resp

    def get(self, path, **kw):
        return self.request('GET', path, **kw)

    def post(self, path, body=None, **kw):
        return self.request('POST', path, body, **kw)

    def delete(self, path, **kw):
        return self.request('DELETE', path, **kw)


class TestCase(testtools.TestCase):
    def assertError(self, resp, status, fragment=None):
        self.assertEqual(status, resp.status_code, resp.body)
        body = json.loads(resp.body)
        error = body['errors'][0]
        self.assertEqual(status, error['status'])
        if fragment:
            self.assertIn(fragment, error['detail'])
        return error


__all__ = ['ConfFixture', 'Client', 'TestCase', 'fixtures', 'io',
           'oslo_messaging', 'webob']
