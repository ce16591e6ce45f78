"""The auction REST API: status, mechanism, rounds and prices.

Rounds and prices are read from the market (which keeps the history every
engine writes); status and "clear now" go to the leading engine over RPC.
"""

import dataclasses

from flocx_auction.api import root
from flocx_auction.api import versions
from flocx_auction import policies
from flocx_auction import rpcapi as auction_rpcapi
from flocx_common.api import app as common_app
from flocx_common import policy as common_policy
from flocx_market import rpcapi as market_rpcapi

@dataclasses.dataclass
class Services:
    conf: object
    enforcer: object
    auction: auction_rpcapi.AuctionAPI
    market: market_rpcapi.MarketAPI


def build_services(conf):
    return Services(
        conf=conf,
        enforcer=common_policy.make_enforcer(conf, policies.list_rules()),
        auction=auction_rpcapi.AuctionAPI(conf),
        market=market_rpcapi.MarketAPI(conf, timeout=30))


def setup_app(conf, services=None):
    return common_app.build_wsgi_app(
        conf, root.RootController(), services or build_services(conf),
        versions.SERVICE_TYPE, versions.MIN_VERSION, versions.MAX_VERSION)
