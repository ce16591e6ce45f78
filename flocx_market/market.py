"""The market's state changes, each with its events, notifications and casts.

The API handlers and the RPC manager both change state through ``Market`` so
that every change is told to the auction engine, the providers and the
parties in the same way.
"""

import dataclasses

from oslo_log import log
from oslo_utils import timeutils

from flocx_auction import rpcapi as auction_rpcapi
from flocx_common import notify
from flocx_common import policy as common_policy
from flocx_common.api import validation
from flocx_market.db import api as db_api
from flocx_market import policies
from flocx_provider import rpcapi as provider_rpcapi

LOG = log.getLogger(__name__)


@dataclasses.dataclass
class Services:
    """What the handlers use, built once per process."""
    conf: object
    enforcer: object
    db: db_api.Connection
    market: 'Market'


def build_services(conf, db=None):
    db = db or db_api.Connection.from_conf(conf)
    enforcer = common_policy.make_enforcer(conf, policies.list_rules())
    market = Market(db, notify.Notifier(conf, 'flocx-market'),
                    auction_rpcapi.AuctionAPI(conf),
                    provider_rpcapi.ProviderAPI(conf))
    return Services(conf=conf, enforcer=enforcer, db=db, market=market)


class Market:
    def __init__(self, db, notifier, auction, providers):
        self.db = db
        self.notifier = notifier
        self.auction = auction
        self.providers = providers

    def create_offer(self, ctx, values):
        offer = self.db.create_offer(values)
        self.notifier.emit(ctx, 'Offer', 'create', offer)
        self.auction.order_created(ctx, 'offer', offer)
        return offer

    def cancel_offer(self, ctx, uuid, reason='cancelled by its owner',
                     tell_provider=True):
        offer = self.db.cancel_offer(uuid, reason)
        self.notifier.emit(ctx, 'Offer', 'cancel', offer)
        self.auction.order_cancelled(ctx, 'offer', uuid)
        if tell_provider and offer.get('provider'):
            # Cancelled here, through the market: the provider that
            # published it closes its own record now rather than at its
            # next comparison with the market (up to a minute), so that the
            # node can be offered again at once.
            self.providers.offer_closed(ctx, offer['provider'], offer)
        return offer

    def create_bid(self, ctx, values):
        bid = self.db.create_bid(values)
        self.notifier.emit(ctx, 'Bid', 'create', bid)
        self.auction.order_created(ctx, 'bid', bid)
        return bid

    def cancel_bid(self, ctx, uuid, reason='cancelled by its owner'):
        bid = self.db.cancel_bid(uuid, reason)
        self.notifier.emit(ctx, 'Bid', 'cancel', bid)
        self.auction.order_cancelled(ctx, 'bid', uuid)
        return bid

    def commit_awards(self, ctx, round_id, awards):
        """Write what a round decided; refuse, one by one, what is stale."""
        accepted, refused = [], []
        for award in awards:
            award = dict(award, round_id=round_id,
                         start_time=_time(award['start_time']),
                         end_time=_time(award['end_time']))
            # A round committed again (the engine retrying after a lost
            # answer) returns the same contracts; tell nobody twice.
            known = self.db.get_contract(award['uuid']) is not None
            try:
                contract = self.db.commit_award(award)
            except db_api.Refused as e:
                LOG.info('Refused contract for bid %s: %s',
                         award['bid_uuid'], e)
                refused.append({'bid_uuid': award['bid_uuid'],
                                'reason': str(e)})
                continue
            accepted.append(contract)
            if known:
                continue
            self.notifier.emit(ctx, 'Contract', 'create', contract)
            self._tell_providers(ctx, contract)
        return {'accepted': accepted, 'refused': refused}

    def reject_bids(self, ctx, uuids, reason):
        rejected = self.db.reject_bids(uuids, reason)
        for uuid in rejected:
            self.notifier.emit(ctx, 'Bid', 'expire',
                               {'uuid': uuid, 'reason': reason})
        return rejected

    def update_contract(self, ctx, uuid, status, reason=None):
        contract = self.db.update_contract_status(uuid, status, reason)
        action = {'active': 'start', 'completed': 'end',
                  'cancelled': 'cancel', 'failed': 'fail'}.get(status)
        if action:
            self.notifier.emit(ctx, 'Contract', action, contract,
                               level='error' if status == 'failed'
                               else 'info')
        if status in ('cancelled', 'failed'):
            # The node-time is free again: the engine may sell it anew.
            self.auction.book_changed(ctx)
        return contract

    def expire_orders(self, ctx, now=None):
        closed = self.db.expire_orders(now or timeutils.utcnow())
        for kind in ('offers', 'bids'):
            for uuid in closed[kind]:
                self.notifier.emit(ctx, kind[:-1].capitalize(), 'expire',
                                   {'uuid': uuid})
        return closed

    def _tell_providers(self, ctx, contract):
        providers = set()
        for node in contract['nodes']:
            offer = self.db.get_offer(node['offer_uuid'])
            if offer and offer.get('provider'):
                providers.add(offer['provider'])
        for provider in sorted(providers):
            self.providers.contract_changed(ctx, provider, contract)


def _time(value):
    if isinstance(value, str):
        return validation.parse_time(value)
    return value
