import pecan

from flocx_market.api import versions
from flocx_market.api.v1 import bids
from flocx_market.api.v1 import contracts
from flocx_market.api.v1 import events
from flocx_market.api.v1 import offers


class V1Controller:
    offers = offers.OffersController()
    bids = bids.BidsController()
    contracts = contracts.ContractsController()
    events = events.EventsController()

    @pecan.expose('json')
    def index(self):
        return {'version': versions.document(pecan.request)}
