"""The WSGI stack every FLOCX API shares, built in one function.

Outermost first, a request passes through:

1. HTTPProxyToWSGI: honour X-Forwarded-* from a TLS-terminating proxy.
2. RequestId: every answer carries x-openstack-request-id.
3. CORS, configured in [cors].
4. JsonErrors: whatever refuses the request below answers in JSON.
5. Healthcheck at /healthcheck, before auth, for load balancers.
6. RequestBodySizeLimiter: oversize bodies stop here ([oslo_middleware]
   max_request_body_size).
7. keystonemiddleware's auth_token, or NoAuth for local trials. Auth runs in
   delay_auth_decision mode so version discovery stays public; the service
   hook refuses anything else without a confirmed identity.
8. The pecan application with its hooks: service objects and context,
   microversion negotiation, JSON errors.
"""

from keystonemiddleware import auth_token
from oslo_middleware import cors
from oslo_middleware import healthcheck
from oslo_middleware import http_proxy_to_wsgi
from oslo_middleware import request_id
from oslo_middleware import sizelimit
import pecan

from flocx_common.api import hooks
from flocx_common.api import middleware


class Request(pecan.Request):
    """pecan's request, with a JSON body pecan cannot parse left alone.

    pecan parses a JSON body while routing, to look for arguments; a body
    nested too deeply raised RecursionError there (a 500). Now pecan skips
    it and the handler refuses it with a 400.
    """

    @property
    def json(self):
        try:
            return super().json
        except RecursionError:
            raise ValueError('The request body is nested too deeply.')


def build_wsgi_app(conf, root, services, service_type, min_version,
                   max_version):
    app = pecan.make_app(
        root,
        request_cls=Request,
        hooks=[hooks.ErrorHook(),
               hooks.VersionHook(service_type, min_version, max_version),
               hooks.ServiceHook(services)],
        force_canonical=False,
        guess_content_type_from_ext=False,
    )
    if conf.auth_strategy == 'keystone':
        app = auth_token.AuthProtocol(
            app, {'oslo_config_config': conf, 'delay_auth_decision': True})
    else:
        app = middleware.NoAuth(app)
    app = sizelimit.RequestBodySizeLimiter(app, conf)
    app = middleware.PathDispatch(
        app, {'/healthcheck': healthcheck.Healthcheck(None, conf)})
    app = middleware.JsonErrors(app)
    app = cors.CORS(app, conf)
    app = request_id.RequestId(app)
    app = http_proxy_to_wsgi.HTTPProxyToWSGI(app, conf)
    return app


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
