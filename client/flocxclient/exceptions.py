"""Errors of the FLOCX APIs, one class per kind of answer.

All three APIs answer errors in the API-SIG format::

    {"errors": [{"status": 409, "title": "Conflict", "detail": "...",
                 "code": "flocx.offer_not_open", "request_id": "req-...",
                 "source": {"pointer": "/price"}}]}

:func:`from_response` turns such an answer (or any other error answer, e.g.
a proxy's HTML page) into the matching :class:`ClientException` subclass,
with the request id the API logged it under.

Kept free of any import but the standard library: Horizon names these
classes in its settings (``ADD_EXCEPTIONS``) while the settings load.
"""


class ClientException(Exception):
    """An error answer from a FLOCX API, or no answer at all."""

    #: HTTP status this class stands for (None: any, or no answer)
    http_status = None

    def __init__(self, detail, status=None, title=None, code=None,
                 pointer=None, request_id=None, service=None):
        super().__init__(detail)
        self.detail = detail
        self.status = status if status is not None else self.http_status
        self.title = title
        self.code = code
        self.pointer = pointer
        self.request_id = request_id
        self.service = service

    def __str__(self):
        return str(self.detail)

    def one_line(self):
        """``detail (HTTP 409 Conflict, request req-...)``: what a CLI prints."""
        if self.status is None:
            return self.detail
        status = f'HTTP {self.status}'
        if self.title:
            status += f' {self.title}'
        if self.request_id:
            status += f', request {self.request_id}'
        return f'{self.detail} ({status})'


class ConnectionFailure(ClientException):
    """The API could not be reached."""


class EndpointNotFound(ClientException):
    """The service catalog lists no endpoint for the service type."""


class BadRequest(ClientException):
    http_status = 400


class Unauthorized(ClientException):
    http_status = 401


class Forbidden(ClientException):
    http_status = 403


class NotFound(ClientException):
    http_status = 404


class MethodNotAllowed(ClientException):
    http_status = 405


class NotAcceptable(ClientException):
    """406: e.g. a microversion the API does not serve."""
    http_status = 406


class Conflict(ClientException):
    http_status = 409


class ServiceUnavailable(ClientException):
    http_status = 503


_BY_STATUS = {cls.http_status: cls for cls in (
    BadRequest, Unauthorized, Forbidden, NotFound, MethodNotAllowed,
    NotAcceptable, Conflict, ServiceUnavailable)}


def from_response(resp, service=None):
    """The exception for an error ``requests``/keystoneauth response."""
    error = {}
    try:
        errors = resp.json().get('errors') or []
        error = errors[0] if errors and isinstance(errors[0], dict) else {}
    except (ValueError, AttributeError):
        pass  # not JSON, or not a JSON object
    detail = error.get('detail') or error.get('title')
    if not detail:
        # Not one of ours: e.g. a proxy's HTML page.
        detail = ' '.join((resp.text or '').split())[:300] or (
            f'{service or "The API"} answered HTTP {resp.status_code}')
    request_id = (error.get('request_id') or
                  resp.headers.get('x-openstack-request-id') or
                  resp.headers.get('x-compute-request-id'))
    cls = _BY_STATUS.get(resp.status_code, ClientException)
    return cls(detail, status=resp.status_code,
               title=error.get('title') or resp.reason, code=error.get('code'),
               pointer=(error.get('source') or {}).get('pointer'),
               request_id=request_id, service=service)
