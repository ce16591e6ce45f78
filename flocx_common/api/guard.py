"""Refuse hostile requests at the door, each with a clear 4xx in JSON.

What reaches the handlers is then an ordinary request: a known method, no
method override, a JSON body or none, no NUL in the path or query (which
PostgreSQL refuses in text, a 500 before), and a body within the size
limit. An oversize body is read (up to a bound) before the 413 is sent: a
server that closes the connection with the body unread makes the client's
TCP stack drop the answer (a connection reset instead of the 413).
"""

from urllib import parse

from oslo_log import log

from flocx_common.api import errors

LOG = log.getLogger(__name__)

# What the APIs serve; OPTIONS is CORS preflight. TRACE, CONNECT and any
# other method get 405.
METHODS = frozenset(('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE',
                     'OPTIONS'))
# Documents that are only ever read.
READ_ONLY = {'/': ('GET', 'HEAD', 'OPTIONS'),
             '/v1': ('GET', 'HEAD', 'OPTIONS'),
             '/v1/': ('GET', 'HEAD', 'OPTIONS'),
             '/healthcheck': ('GET', 'HEAD')}
# Bodies webob would parse as forms (pecan then reads them for arguments,
# and a multipart body without a boundary raised a 500); the APIs take JSON.
FORM_TYPES = ('multipart/', 'application/x-www-form-urlencoded')
# Query parameters that ask a framework to treat the request as another
# method (pecan's RestController honours _method): never.
OVERRIDES = ('_method', 'x-http-method-override')
OVERRIDE_HEADERS = ('HTTP_X_HTTP_METHOD_OVERRIDE', 'HTTP_X_HTTP_METHOD',
                    'HTTP_X_METHOD_OVERRIDE')
# An oversize body is drained up to this many times the limit (and at
# least DRAIN_MIN bytes); a client that sends more gets its 413 with the
# connection closed unread.
DRAIN_FACTOR = 16
DRAIN_MIN = 16 * 1024 * 1024
CHUNK = 65536


class RequestGuard:
    """WSGI middleware: see the module's docstring.

    The largest request body accepted is ``[oslo_middleware]
    max_request_body_size`` (read per request, as oslo.middleware's own
    limiter does); a larger Content-Length gets 413 once the body has been
    read.
    """

    def __init__(self, application, conf):
        self.application = application
        self.conf = conf

    @property
    def max_body_size(self):
        return self.conf.oslo_middleware.max_request_body_size

    def __call__(self, environ, start_response):
        refusal = self.refusal(environ)
        if refusal is None:
            return self.application(environ, start_response)
        error, extra_headers = refusal
        body = errors.error_body(
            error.status, error.detail, error.code,
            request_id=environ.get('openstack.request_id'))
        status = errors.response_for(error)[0]
        start_response(status, [('Content-Type', 'application/json'),
                                ('Content-Length', str(len(body))),
                                *extra_headers])
        return [body]

    def refusal(self, environ):
        """(APIError, extra headers) for a request to refuse, else None."""
        method = environ.get('REQUEST_METHOD', '')
        path = environ.get('PATH_INFO', '')
        allowed = READ_ONLY.get(path)
        if method not in METHODS or (allowed and method not in allowed):
            return (errors.MethodNotAllowed(
                f'{method} is not allowed here.'),
                [('Allow', ', '.join(sorted(allowed or METHODS)))])
        query = environ.get('QUERY_STRING', '')
        if '\x00' in path or '%00' in query.lower() or '\x00' in query:
            return errors.BadRequest(
                'The path or query string holds a NUL character.',
                code='flocx.nul_character'), []
        try:
            names = {k.lower() for k, _ in parse.parse_qsl(
                query, keep_blank_values=True)}
        except ValueError:
            return errors.BadRequest('The query string is malformed.'), []
        if names.intersection(OVERRIDES) or any(
                h in environ for h in OVERRIDE_HEADERS):
            return errors.BadRequest(
                'Method override is not supported: send the method itself.',
                code='flocx.method_override'), []
        content_type = environ.get('CONTENT_TYPE', '').strip().lower()
        if content_type.startswith(FORM_TYPES):
            self.drain(environ)
            return errors.UnsupportedMediaType(
                f'Request bodies are application/json, not '
                f'{content_type.split(";")[0]}.'), [('Connection', 'close')]
        length = environ.get('CONTENT_LENGTH')
        if length:
            try:
                length = int(length)
            except ValueError:
                return errors.BadRequest(
                    'Content-Length is not a number.'), []
            if length < 0:
                return errors.BadRequest('Content-Length is negative.'), []
            if length > self.max_body_size:
                self.drain(environ, length)
                error = errors.APIError(
                    f'The request body is too large: more than '
                    f'{self.max_body_size} bytes.',
                    code='flocx.request_too_large')
                error.status = 413
                return error, [('Connection', 'close')]
        return None

    def drain(self, environ, length=None):
        """Read the request body and throw it away, up to a bound."""
        stream = environ.get('wsgi.input')
        if stream is None:
            return
        if length is None:
            try:
                length = int(environ.get('CONTENT_LENGTH') or 0)
            except ValueError:
                return
        left = min(length, max(self.max_body_size * DRAIN_FACTOR,
                               DRAIN_MIN))
        try:
            while left > 0:
                chunk = stream.read(min(CHUNK, left))
                if not chunk:
                    break
                left -= len(chunk)
        except Exception as e:  # the client went away: nothing to answer
            LOG.debug('Could not drain a refused request body: %s', e)
