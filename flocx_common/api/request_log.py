"""One INFO line per API request, and the request's id on every log line.

``RequestLog`` sits just inside oslo.middleware's ``RequestId`` (which puts
the request id, and a valid inbound ``X-OpenStack-Request-ID`` as the global
request id, into the WSGI environ). Before anything below it runs, it makes
an oslo.context for the request the current one of this thread: oslo.log's
``ContextFormatter`` writes the current context's ``request_id`` and
``global_request_id`` into every line (``logging_context_format_string``),
so the lines keystonemiddleware, the size limiter or the handlers log while
serving the request name it, and concurrent requests (one per thread) each
name their own. The service hook later replaces that context with the full
one (user, project, roles), keeping the same ids.

When the answer is complete it logs, at INFO::

    "GET /v1/offers" status: 200 len: 1234 microversion: 1.3 time: 0.0123

The query string is left out: filters may carry prices, and prices never
go to the log at INFO.
"""

import time

from oslo_context import context as oslo_context
from oslo_log import log
from oslo_middleware import request_id

LOG = log.getLogger('flocx.api.request')


class RequestLog:
    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        started = time.monotonic()
        oslo_context.RequestContext(
            request_id=environ.get(request_id.ENV_REQUEST_ID),
            global_request_id=environ.get(request_id.GLOBAL_REQ_ID),
            overwrite=True)
        answer = {}

        def recording_start_response(status, headers, exc_info=None):
            answer['status'] = status.split(' ', 1)[0]
            answer['headers'] = headers
            return start_response(status, headers, exc_info)

        try:
            body = self.application(environ, recording_start_response)
        except Exception:
            answer.setdefault('status', '500')
            self._log(environ, answer, started)
            _forget_context()
            raise
        # The app's iterable is what the server sends: the line is written
        # when it has been sent (or dropped), and the time covers it.
        return _Logged(body, lambda: self._log(environ, answer, started))

    @staticmethod
    def _log(environ, answer, started):
        headers = dict((k.lower(), v)
                       for k, v in answer.get('headers') or ())
        version = headers.get('openstack-api-version', '-')
        LOG.info('"%(method)s %(path)s" status: %(status)s len: %(length)s '
                 'microversion: %(version)s time: %(time).4f',
                 {'method': environ.get('REQUEST_METHOD'),
                  'path': (environ.get('SCRIPT_NAME', '') +
                           environ.get('PATH_INFO', '')),
                  'status': answer.get('status', '-'),
                  'length': headers.get('content-length', '-'),
                  'version': version.rsplit(' ', 1)[-1],
                  'time': time.monotonic() - started})


class _Logged:
    """The application's body, logging the request once it is closed."""

    def __init__(self, body, on_close):
        self._body = body
        self._on_close = on_close

    def __iter__(self):
        return iter(self._body)

    def close(self):
        try:
            close = getattr(self._body, 'close', None)
            if close is not None:
                close()
        finally:
            self._on_close()
            _forget_context()


def _forget_context():
    """This thread serves no request any more: its lines name none.

    oslo.context has no public way to clear the current context; its
    thread-local store is ``_request_store`` (oslo.context 2.x to 6.x).
    """
    store = getattr(oslo_context, '_request_store', None)
    if store is not None:
        store.__dict__.pop('context', None)
