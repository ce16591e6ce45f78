import pecan

from flocx_market.api import versions
from flocx_market.api.v1 import bids
from flocx_market.api.v1 import clouds
from flocx_market.api.v1 import contracts
from flocx_market.api.v1 import events
from flocx_market.api.v1 import lifecycle
from flocx_market.api.v1 import offers
from flocx_market.api.v1 import organizations


class V1Controller:
    offers = offers.OffersController()
    bids = bids.BidsController()
    contracts = contracts.ContractsController()
    events = events.EventsController()
    statements = lifecycle.StatementsController()
    reliability = lifecycle.ReliabilityController()
    clouds = clouds.CloudsController()
    organizations = organizations.OrganizationsController()

    @pecan.expose('json')
    def index(self):
        return {'version': versions.document(pecan.request)}
