"""The WSGI stack every FLOCX API shares, built in one function.

Outermost first, a request passes through:

1. HTTPProxyToWSGI: honour X-Forwarded-* from a TLS-terminating proxy.
2. RequestId: every answer carries x-openstack-request-id; a valid inbound
   X-OpenStack-Request-ID becomes the global request id.
3. RequestLog: the request's ids on every log line while it is served, and
   one INFO line per request (flocx_common.api.request_log).
4. CORS, configured in [cors].
5. JsonErrors: whatever refuses the request below answers in JSON.
5a. RequestGuard (guard.py): unknown methods, method override, form
   bodies, NUL in path or query and oversize bodies (read first) refused.
6. Healthcheck at /healthcheck, before auth, for load balancers: the
   database and the broker (flocx_common.api.health).
7. RequestBodySizeLimiter: oversize bodies stop here ([oslo_middleware]
   max_request_body_size).
8. keystonemiddleware's auth_token, or NoAuth for local trials. Auth runs in
   delay_auth_decision mode so version discovery stays public; the service
   hook refuses anything else without a confirmed identity. With member
   clouds (federation), each cloud's tokens go to that cloud's Keystone
   (flocx_common.api.clouds).
9. The pecan application with its hooks: service objects and context,
   microversion negotiation, JSON errors.
"""

import importlib.metadata

from keystonemiddleware import auth_token
from oslo_middleware import cors
from oslo_middleware import healthcheck
from oslo_middleware.healthcheck import opts as healthcheck_opts
from oslo_middleware import http_proxy_to_wsgi
from oslo_middleware import request_id
from oslo_middleware import sizelimit
import orjson
import pecan

from flocx_common.api import clouds
from flocx_common.api import guard
from flocx_common.api import hooks
from flocx_common.api import library_patches
from flocx_common.api import middleware
from flocx_common.api import request_log
from flocx_common import money


class Request(pecan.Request):
    """pecan's request, with a JSON body pecan cannot parse left alone.

    pecan parses a JSON body while routing, to look for arguments; a body
    nested too deeply raised RecursionError there (a 500). Now pecan skips
    it and the handler refuses it with a 400. A body that is not UTF-8 is
    left to the handler too: pecan logged a traceback for each one.
    """

    @property
    def json(self):
        try:
            return super().json
        except RecursionError:
            raise ValueError('The request body is nested too deeply.')
        except UnicodeDecodeError:
            raise ValueError('The request body is not UTF-8.')


class JsonRenderer:
    """pecan's ``json`` renderer, written with orjson.

    orjson encodes a 1,000-row list page several times faster than the
    stdlib encoder behind pecan's, and writes datetimes itself: naive ones
    are UTC (as the databases store them), ``2026-11-24T10:00:00+00:00``,
    the text ``flocx_common.db.iso`` gives. Decimals (prices) are JSON
    numbers with exactly their digits (``flocx_common.money``).
    """

    # numpy: the auction's figures may carry numpy scalars, which the
    # stdlib encoder took as floats.
    OPTIONS = (orjson.OPT_NAIVE_UTC | orjson.OPT_NON_STR_KEYS |
               orjson.OPT_SERIALIZE_NUMPY)

    def __init__(self, path, extra_vars):
        pass

    def render(self, template_path, namespace):
        return orjson.dumps(namespace, default=money.json_default,
                            option=self.OPTIONS)


# Memoized signature inspection in pecan, oslo.middleware and oslo.policy:
# see library_patches (guarded by the versions they were written for).
library_patches.apply()


def build_wsgi_app(conf, root, services, service_type, min_version,
                   max_version):
    app = pecan.make_app(
        root,
        request_cls=Request,
        custom_renderers={'json': JsonRenderer},
        hooks=[hooks.ErrorHook(),
               hooks.VersionHook(service_type, min_version, max_version),
               hooks.ServiceHook(services)],
        force_canonical=False,
        guess_content_type_from_ext=False,
    )
    if conf.auth_strategy == 'keystone':
        home_auth = auth_token.AuthProtocol(
            app, {'oslo_config_config': conf, 'delay_auth_decision': True})
        clouds.register_member_opts(conf)
        app = clouds.CloudAuth(app, conf, home_auth)
    else:
        app = middleware.NoAuth(app, conf.federation.cloud_name)
    app = sizelimit.RequestBodySizeLimiter(app, conf)
    app = middleware.PathDispatch(
        app, {'/healthcheck': build_healthcheck(conf)})
    app = guard.RequestGuard(app, conf)
    app = middleware.JsonErrors(app)
    app = cors.CORS(app, conf)
    app = request_log.RequestLog(app)
    app = request_id.RequestId(app)
    app = http_proxy_to_wsgi.HTTPProxyToWSGI(app, conf)
    return app


# FLOCX's healthcheck backends (flocx_common.api.health), registered in
# setup.cfg under oslo.middleware's entry point namespace.
HEALTHCHECK_BACKENDS = ('flocx_database', 'flocx_broker')


def build_healthcheck(conf):
    """oslo.middleware's Healthcheck app, asking the database and broker.

    ``[healthcheck] backends`` defaults to what this service depends on: the
    database when it has one, and the broker. stevedore skips a backend
    name it cannot find with a mere warning, and /healthcheck would then
    answer healthy without asking: a missing one stops the service instead.
    """
    conf.register_opts(healthcheck_opts.HEALTHCHECK_OPTS, group='healthcheck')
    defaults = ['flocx_broker']
    if 'database' in conf:
        defaults.insert(0, 'flocx_database')
    conf.set_default('backends', defaults, group='healthcheck')
    installed = {ep.name for ep in importlib.metadata.entry_points(
        group=healthcheck.Healthcheck.NAMESPACE)}
    missing = set(conf.healthcheck.backends) - installed
    if missing:
        raise RuntimeError(
            f'[healthcheck] backends {sorted(missing)} are not installed '
            f'(entry points {healthcheck.Healthcheck.NAMESPACE}); reinstall '
            'FLOCX (pip install -e .) if they are its own '
            f'({", ".join(HEALTHCHECK_BACKENDS)}).')
    return healthcheck.Healthcheck(None, conf)


def version_document(request, service_type, min_version, max_version,
                     status='CURRENT'):
    base = request.services.conf.api.public_endpoint or request.host_url
    return {
        'id': 'v1',
        'status': status,
        'min_version': str(min_version),
        'max_version': str(max_version),
        'links': [{'rel': 'self', 'href': f"{base.rstrip('/')}/v1/"}],
        'media-types': [{'base': 'application/json',
                         'type': f'application/vnd.openstack.{service_type}'
                                 '-v1+json'}],
    }
