"""Pecan hooks shared by the three APIs."""

import os

import webob
from oslo_db import exception as db_exc
from oslo_log import log
from oslo_policy import policy
from pecan import hooks
import sqlalchemy.exc
from webob import exc as webob_exc

from flocx_common.api import errors
from flocx_common.api import microversion
from flocx_common import context

LOG = log.getLogger(__name__)


class ServiceHook(hooks.PecanHook):
    """Attach the request context and the service's collaborators.

    ``services`` is whatever the service's handlers need (config, policy
    enforcer, RPC clients, notifier, database): one object, built once in
    the service's ``setup_app``.
    """

    def __init__(self, services):
        self.services = services

    def before(self, state):
        request = state.request
        request.services = self.services
        request.context = context.RequestContext.from_environ(
            request.environ, enforcer=self.services.enforcer)
        if request.environ.get('HTTP_X_IDENTITY_STATUS') != 'Confirmed' \
                and request.path.rstrip('/') not in ('', '/v1'):
            # keystonemiddleware runs with delay_auth_decision=True so that
            # version discovery stays public; everything else needs a token.
            raise errors.Unauthorized('Authentication required: send a valid '
                                      'Keystone token in X-Auth-Token.')


class VersionHook(hooks.PecanHook):
    """Negotiate the microversion of every /v1 request."""

    def __init__(self, service_type, min_version, max_version):
        self.service_type = service_type
        self.min_version = min_version
        self.max_version = max_version

    def before(self, state):
        request = state.request
        request.version = None
        if request.path.startswith('/v1'):
            request.version = microversion.negotiate(
                request.headers, self.service_type, self.min_version,
                self.max_version)

    def after(self, state):
        version = getattr(state.request, 'version', None)
        if version is not None and state.response is not None:
            state.response.headers[microversion.HEADER] = (
                f'{self.service_type} {version}')
            state.response.headers['Vary'] = microversion.HEADER


_PECAN_CORE = os.path.join('pecan', 'core.py')


def _arguments_do_not_fit(e):
    """True for the TypeError pecan's own call of a handler raises."""
    if not isinstance(e, TypeError):
        return False
    tb = e.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb is not None and tb.tb_frame.f_code.co_filename.endswith(
        _PECAN_CORE)


class ErrorHook(hooks.PecanHook):
    """Turn every error a handler raises into a JSON answer."""

    def on_error(self, state, e):
        request_id = state.request.environ.get('openstack.request_id')
        if isinstance(e, errors.APIError):
            error = e
        elif isinstance(e, policy.PolicyNotAuthorized):
            error = errors.Forbidden(
                str(e),
                code='flocx.policy_not_authorized')
        elif isinstance(e, policy.InvalidScope):
            error = errors.Forbidden(str(e), code='flocx.invalid_scope')
        elif _arguments_do_not_fit(e):
            # pecan called a handler with the path's parts as arguments and
            # they did not fit its signature: ``DELETE /v1/offers`` (no id)
            # or ``GET /v1/offers/a/b`` (one too many). No such resource.
            if state.request.method in ('DELETE', 'PUT', 'PATCH'):
                error = errors.MethodNotAllowed(
                    f'{state.request.method} needs the id of one item: '
                    f'{state.request.path.rstrip("/")}/{{id}}.')
            else:
                error = errors.NotFound(
                    f'No resource at {state.request.path}.')
        elif isinstance(e, webob_exc.HTTPException):
            error = errors.APIError(e.detail or e.title,
                                    code=f'flocx.http_{e.code}')
            error.status = e.code
        elif isinstance(e, (db_exc.DBConnectionError,
                            sqlalchemy.exc.OperationalError)):
            # The database is restarting or unreachable: a transient
            # outage the client may retry, not a bug (one line, no
            # traceback per request). oslo.db does not recognize libpq's
            # "connection to server at ... failed" on a new connection, so
            # that one arrives as SQLAlchemy's OperationalError.
            LOG.warning('Database unreachable serving %s %s: %s',
                        state.request.method, state.request.path, e)
            error = errors.ServiceUnavailable(
                'The database is unreachable; try again shortly.',
                code='flocx.database_unavailable')
        else:
            LOG.exception('Unexpected error serving %s %s',
                          state.request.method, state.request.path)
            error = errors.APIError(
                'The server could not complete the request; see its log '
                f'for request {request_id}.')
        status, headers, body = errors.response_for(error, request_id)
        if isinstance(e, webob_exc.HTTPException) and e.headers.get('Allow'):
            headers.append(('Allow', e.headers['Allow']))
        if error.status == 503:
            headers.append(('Retry-After', '2'))
        response = webob.Response(status=status, body=body,
                                  headerlist=headers)
        return response
