"""The market's RPC endpoint, served by ``flocx-market-manager``.

The auction engine reads the order book from here and writes contracts back;
providers publish offers and report how contracts are carried out. Every
method delegates to ``Market`` so API and RPC changes look the same to the
parties.
"""

import oslo_messaging as messaging
from oslo_utils import timeutils

from flocx_common.api import errors
from flocx_common.api import validation as v
from flocx_common import db
from flocx_market.api.v1 import offers as offers_api


class MarketManager:
    target = messaging.Target(version='1.3')

    def __init__(self, services):
        self.services = services
        self.conf = services.conf
        self.db = services.db
        self.market = services.market

    def get_order_book(self, ctx):
        return self.market.order_book()

    def commit_awards(self, ctx, round_id, awards):
        return self.market.commit_awards(ctx, round_id, awards)

    def reject_bids(self, ctx, uuids, reason):
        return self.market.reject_bids(ctx, uuids, reason)

    def record_round(self, ctx, round):
        return self.db.record_round(round)

    # A client's bad input that the caller passes on (the auction API's
    # marker and since) is the client's 400, not an error of the manager's:
    # expected, it is not logged with a traceback at ERROR.
    @messaging.expected_exceptions(errors.APIError)
    def list_rounds(self, ctx, limit, marker=None):
        return self.db.list_rounds(limit, marker)

    @messaging.expected_exceptions(errors.APIError)
    def get_round(self, ctx, uuid):
        found = self.db.get_round(uuid)
        if found is None:
            raise errors.NotFound(f'Round {uuid} not found.')
        return found

    @messaging.expected_exceptions(errors.APIError)
    def market_prices(self, ctx, resource_class=None, since=None):
        if since is not None:
            since = v.parse_time(since, 'since')
        return {'prices': self.db.price_history(resource_class, since),
                'depth': self.db.market_depth()}

    @messaging.expected_exceptions(errors.APIError)
    def publish_offer(self, ctx, offer):
        # 1.2: the provider's own uuid for the offer, which the market
        # keeps, so that the offer has one identity everywhere.
        offer = dict(offer)
        uuid = v.validate(offer.pop('uuid', None),
                          {'anyOf': [v.UUID, {'type': 'null'}]})
        body = v.validate(offer, offers_api.CREATE_SCHEMA)
        values = offers_api.offer_values(self.conf, body)
        if uuid:
            values['uuid'] = uuid
        return self.market.create_offer(ctx, values)

    @messaging.expected_exceptions(errors.APIError)
    def cancel_offer(self, ctx, uuid):
        # The provider asked, so it needs no telling.
        return self.market.cancel_offer(ctx, uuid,
                                        reason='cancelled by its provider',
                                        tell_provider=False)

    def list_offers(self, ctx, provider, status=None):
        return self._all(self.db.list_offers,
                         {'provider': provider, 'status': status})

    def list_contracts(self, ctx, provider, status=None):
        filters = {'provider': provider}
        if status:
            filters['status'] = status
        return self._all(self.db.list_contracts, filters)

    @messaging.expected_exceptions(errors.APIError)
    def set_contract_access(self, ctx, uuid, access):
        return self.market.set_contract_access(ctx, uuid, access)

    @messaging.expected_exceptions(errors.APIError)
    def update_contract(self, ctx, uuid, status, reason=None):
        return self.market.update_contract(ctx, uuid, status, reason)

    @messaging.expected_exceptions(errors.APIError)
    def report_delivery(self, ctx, uuid, resource_uuid, lent_at=None,
                        reclaimed_at=None):
        """A provider lent or reclaimed a node of a contract (1.1)."""
        return self.market.record_delivery(ctx, uuid, resource_uuid,
                                           lent_at=lent_at,
                                           reclaimed_at=reclaimed_at)

    def sweep_contracts(self, ctx):
        return self.market.sweep_contracts(ctx, self.conf)

    def expire_orders(self, ctx):
        return self.market.expire_orders(ctx, timeutils.utcnow())

    def _all(self, lister, filters):
        items, marker = [], None
        while True:
            page = lister(filters, None, 1000, marker, 'created_at', 'asc')
            items.extend(db.serialize(item) for item in page)
            if len(page) < 1000:
                return items
            marker = page[-1]['uuid']
