"""WSGI middleware that keeps every answer JSON and every failure tidy."""

import json

from oslo_log import log
import webob
import webob.dec

from flocx_common.api import errors

LOG = log.getLogger(__name__)


class JsonErrors:
    """Outermost safety net below the request-id middleware.

    Error responses made by other layers (keystonemiddleware, the body size
    limiter, pecan's router) are rewritten into the API-SIG JSON format, and
    an exception that escaped everything becomes a 500 with no traceback.
    """

    def __init__(self, application):
        self.application = application

    @webob.dec.wsgify
    def __call__(self, req):
        request_id = req.environ.get('openstack.request_id')
        try:
            resp = req.get_response(self.application)
        except Exception:
            LOG.exception('Unhandled error serving %s %s', req.method,
                          req.path)
            resp = webob.Response(status=500)
        if resp.status_code >= 400 and \
                not resp.content_type == 'application/json':
            detail = _detail_from(resp)
            resp = webob.Response(
                status=resp.status,
                content_type='application/json',
                charset=None,
                body=errors.error_body(resp.status_code, detail,
                                       request_id=request_id),
                headerlist=[h for h in resp.headerlist
                            if h[0].lower() in ('www-authenticate', 'allow',
                                                'openstack-api-version')])
            resp.content_type = 'application/json'
        return resp


def _detail_from(resp):
    """Best effort at the human sentence inside another layer's error page."""
    if resp.status_code >= 500:
        return 'The server could not complete the request; see its log.'
    text = resp.text if resp.charset else ''
    try:
        doc = json.loads(text)
    except ValueError:
        doc = None
    if isinstance(doc, dict):
        for key in ('error', 'message', 'detail'):
            value = doc.get(key)
            if isinstance(value, dict):
                value = value.get('message') or value.get('detail')
            if isinstance(value, str):
                return value
    lines = [line.strip() for line in text.splitlines() if line.strip()
             and not line.strip().startswith('<')]
    return lines[-1] if lines else resp.status


class NoAuth:
    """Identify requests from headers, for local trials and unit tests only.

    ``X-Project-Id`` (a project-scoped request) or ``OpenStack-System-Scope:
    all`` (a system-scoped one), ``X-Roles`` (default ``admin,member,
    reader``) and ``X-User-Id`` stand in for what keystonemiddleware would
    set after validating a token. Without either scope header the caller is
    the market's admin: system scope. ``OpenStack-Market-Cloud`` names the
    caller's cloud (default: this market's own, ``[federation]
    cloud_name``).
    """

    def __init__(self, application, home_cloud=None):
        self.application = application
        self.home_cloud = home_cloud

    def __call__(self, environ, start_response):
        if self.home_cloud:
            cloud = environ.get('HTTP_OPENSTACK_MARKET_CLOUD') or \
                self.home_cloud
            environ['flocx.cloud'] = cloud
            environ['flocx.member_cloud'] = cloud != self.home_cloud
        if not environ.get('HTTP_X_PROJECT_ID'):
            environ['HTTP_OPENSTACK_SYSTEM_SCOPE'] = environ.get(
                'HTTP_OPENSTACK_SYSTEM_SCOPE') or 'all'
        environ.setdefault('HTTP_X_ROLES', 'admin,member,reader')
        environ.setdefault('HTTP_X_USER_ID', 'noauth')
        environ['HTTP_X_IDENTITY_STATUS'] = 'Confirmed'
        return self.application(environ, start_response)


class PathDispatch:
    """Send a few exact paths to their own WSGI apps, the rest onwards."""

    def __init__(self, application, routes):
        self.application = application
        self.routes = routes

    def __call__(self, environ, start_response):
        app = self.routes.get(environ.get('PATH_INFO'), self.application)
        return app(environ, start_response)
