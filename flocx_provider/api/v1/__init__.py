import pecan

from flocx_provider.api import versions
from flocx_provider.api.v1 import leases
from flocx_provider.api.v1 import nodes
from flocx_provider.api.v1 import offers


class V1Controller:
    offers = offers.OffersController()
    leases = leases.LeasesController()
    nodes = nodes.NodesController()

    @pecan.expose('json')
    def index(self):
        return {'version': versions.document(pecan.request)}
