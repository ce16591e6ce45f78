"""The provider API's microversions.

History:

* 1.0 -- offers and leases.
"""

from flocx_common.api import app as common_app
from flocx_common.api import microversion

SERVICE_TYPE = 'provider'
MIN_VERSION = microversion.parse('1.0')
MAX_VERSION = microversion.parse('1.0')


def document(request):
    return common_app.version_document(request, SERVICE_TYPE, MIN_VERSION,
                                       MAX_VERSION)
