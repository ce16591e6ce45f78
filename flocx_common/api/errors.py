"""API errors, rendered in the OpenStack API-SIG format.

Every error body is ``{"errors": [{"status", "code", "title", "detail",
"request_id", ["source": {"pointer": ...}]}]}`` so clients can say what went
wrong and where, whatever layer refused the request.
"""

import json

from webob import exc as webob_exc


class APIError(Exception):
    status = 500
    code = 'flocx.internal_error'

    def __init__(self, detail, pointer=None, code=None):
        super().__init__(detail)
        self.detail = detail
        self.pointer = pointer
        if code:
            self.code = code
        # oslo.messaging rebuilds a remote error as cls(*args, **kwargs):
        # without this, a real broker would drop the code and the pointer.
        self.kwargs = {'pointer': pointer, 'code': code}


class BadRequest(APIError):
    status = 400
    code = 'flocx.invalid_input'


class Unauthorized(APIError):
    status = 401
    code = 'flocx.unauthorized'


class Forbidden(APIError):
    status = 403
    code = 'flocx.forbidden'


class NotFound(APIError):
    status = 404
    code = 'flocx.not_found'


class MethodNotAllowed(APIError):
    status = 405
    code = 'flocx.method_not_allowed'


class NotAcceptable(APIError):
    status = 406
    code = 'flocx.not_acceptable'


class Conflict(APIError):
    status = 409
    code = 'flocx.conflict'


class UnsupportedMediaType(APIError):
    status = 415
    code = 'flocx.unsupported_media_type'


class ServiceUnavailable(APIError):
    status = 503
    code = 'flocx.service_unavailable'


def error_body(status, detail, code=None, pointer=None, request_id=None):
    title = webob_exc.status_map.get(status, webob_exc.HTTPServerError).title
    error = {'status': status,
             'code': code or f'flocx.http_{status}',
             'title': title,
             'detail': detail}
    if pointer is not None:
        error['source'] = {'pointer': pointer}
    if request_id:
        error['request_id'] = request_id
    return json.dumps({'errors': [error]}).encode()


def response_for(error, request_id=None):
    """A (status line, headers, body) triple for an APIError."""
    body = error_body(error.status, error.detail, error.code, error.pointer,
                      request_id)
    status = f'{error.status} {webob_exc.status_map[error.status].title}'
    return status, [('Content-Type', 'application/json'),
                    ('Content-Length', str(len(body)))], body
