"""The market's RPC endpoint, served by ``flocx-market-manager``.

The auction engine reads the order book from here and writes contracts back;
providers publish offers and report how contracts are carried out. Every
method delegates to ``Market`` so API and RPC changes look the same to the
parties.
"""

from oslo_log import log
import oslo_messaging as messaging
from oslo_utils import timeutils

from flocx_common.api import errors
from flocx_common.api import validation as v
from flocx_common import db
from flocx_market.api.v1 import offers as offers_api

LOG = log.getLogger(__name__)


class MarketManager:
    # Methods a provider calls name the provider (1.4): the market takes
    # from it only its own offers and reports on its own nodes.
    target = messaging.Target(version='1.4')

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

    def list_rounds(self, ctx, limit, marker=None):
        return self.db.list_rounds(limit, marker)

    @messaging.expected_exceptions(errors.APIError)
    def get_round(self, ctx, uuid):
        found = self.db.get_round(uuid)
        if found is None:
            raise errors.NotFound(f'Round {uuid} not found.')
        return found

    def market_prices(self, ctx, resource_class=None, since=None):
        if since:
            since = v.parse_time(since, 'since')
        return {'prices': self.db.price_history(resource_class, since),
                'depth': self.db.market_depth()}

    @messaging.expected_exceptions(errors.APIError)
    def publish_offer(self, ctx, offer, provider=None):
        # 1.2: the provider's own uuid for the offer, which the market
        # keeps, so that the offer has one identity everywhere.
        offer = dict(offer)
        if offer.get('provider') != _named(ctx, provider, 'publish_offer'):
            LOG.warning('Refused an offer from provider %s in the name of '
                        'provider %s (request %s)', provider,
                        offer.get('provider'), ctx.request_id)
            raise errors.Forbidden(
                f'Provider {provider} publishes its own offers only.',
                code='flocx.not_your_offer')
        uuid = v.validate(offer.pop('uuid', None),
                          {'anyOf': [v.UUID, {'type': 'null'}]})
        body = v.validate(offer, offers_api.CREATE_SCHEMA)
        values = offers_api.offer_values(self.conf, body)
        if uuid:
            values['uuid'] = uuid
        return self.market.create_offer(ctx, values)

    @messaging.expected_exceptions(errors.APIError)
    def cancel_offer(self, ctx, uuid, provider=None):
        offer = self.db.get_offer(uuid)
        if offer is None:
            raise errors.NotFound(f'Offer {uuid} not found.')
        if offer.get('provider') != _named(ctx, provider, 'cancel_offer'):
            LOG.warning('Refused provider %s cancelling offer %s of '
                        'provider %s (request %s)', provider, uuid,
                        offer.get('provider'), ctx.request_id)
            raise errors.Forbidden(
                f'Offer {uuid} is not provider {provider}\'s.',
                code='flocx.not_your_offer')
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
    def set_contract_access(self, ctx, uuid, access, provider=None):
        self.market.check_reporter(
            ctx, uuid, _named(ctx, provider, 'set_contract_access'))
        return self.market.set_contract_access(ctx, uuid, access)

    @messaging.expected_exceptions(errors.APIError)
    def update_contract(self, ctx, uuid, status, reason=None,
                        provider=None):
        self.market.check_reporter(
            ctx, uuid, _named(ctx, provider, 'update_contract'))
        return self.market.update_contract(ctx, uuid, status, reason)

    @messaging.expected_exceptions(errors.APIError)
    def report_delivery(self, ctx, uuid, resource_uuid, lent_at=None,
                        reclaimed_at=None, provider=None):
        """A provider lent or reclaimed a node of a contract (1.1)."""
        self.market.check_reporter(
            ctx, uuid, _named(ctx, provider, 'report_delivery'),
            resource_uuid=resource_uuid)
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


def _named(ctx, provider, method):
    """The provider's name, which a provider's call must give (1.4)."""
    if not provider:
        LOG.warning('Refused %s from a caller that names no provider '
                    '(request %s)', method, ctx.request_id)
        raise errors.Forbidden(
            f'{method} is a provider\'s: name the provider (market RPC '
            'API 1.4).', code='flocx.provider_unnamed')
    return provider
