"""The marketplace API's microversions.

History:

* 1.0 -- offers, bids, contracts and events.
* 1.1 -- a contract's life and its money: ``POST /v1/contracts/{uuid}/return``,
  ``/extend`` and ``/revoke``; ``POST /v1/offers/{uuid}/withdraw`` and
  ``GET /v1/offers/{uuid}/availability``; ``GET /v1/statements`` and
  ``GET /v1/reliability``; offers take a ``cleaning_gap``.
* 1.2 -- bids take ``span_clouds``: a bid of several nodes gets them all in
  one cloud unless it says they may be in several.
* 1.3 -- a member cloud's provider reaches the market through this API:
  ``PUT /v1/contracts/{uuid}/status``, ``POST /v1/contracts/{uuid}/deliveries``
  and ``PUT /v1/contracts/{uuid}/access``; an offer's ``uuid`` may be given
  by its provider; offers and contracts can be listed by ``provider``.
"""

from flocx_common.api import app as common_app
from flocx_common.api import errors
from flocx_common.api import microversion

SERVICE_TYPE = 'marketplace'
MIN_VERSION = microversion.parse('1.0')
MAX_VERSION = microversion.parse('1.3')
LIFECYCLE = microversion.parse('1.1')
SPAN_CLOUDS = microversion.parse('1.2')
PROVIDER_REPORTS = microversion.parse('1.3')


def document(request):
    return common_app.version_document(request, SERVICE_TYPE, MIN_VERSION,
                                       MAX_VERSION)


def require(request, version, what):
    """404 for a resource that does not exist at the negotiated version."""
    if request.version is None or request.version < version:
        raise errors.NotFound(
            f'{what} needs microversion {version} or later (header '
            f'OpenStack-API-Version: {SERVICE_TYPE} {version}).',
            code='flocx.microversion_required')
