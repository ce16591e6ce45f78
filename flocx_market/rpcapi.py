"""Client side of the market's RPC API (topic flocx-market).

The auction engine and the providers talk to the market through this.

API version history:

* 1.0 -- get_order_book, commit_awards, reject_bids, publish_offer,
  cancel_offer, list_contracts, update_contract, list_offers, record_round,
  list_rounds, get_round, market_prices.
* 1.1 -- report_delivery (a provider lent or reclaimed a contract's node).
* 1.2 -- publish_offer's offer may carry the provider's ``uuid`` for it,
  which the market keeps.
* 1.3 -- set_contract_access.
* 1.4 -- a provider's calls (publish_offer, cancel_offer, update_contract,
  report_delivery, set_contract_access) name the ``provider``: the market
  refuses them for another provider's offers and nodes.
"""

from flocx_common import rpc


class MarketAPI:
    RPC_API_VERSION = '1.4'

    def __init__(self, conf, timeout=60, provider=None):
        """``provider``: the name of the provider using this client."""
        self.timeout = timeout
        self.provider = provider
        self.client = rpc.get_client(conf, rpc.MARKET_TOPIC,
                                     self.RPC_API_VERSION, timeout=timeout)

    # For the auction engine

    def get_order_book(self, ctx, timeout=15):
        # Short: a market that does not answer must not hold a round for a
        # minute; one not listening yet is waited for (call_when_served).
        return rpc.call_when_served(self.client, ctx, 'get_order_book',
                                    timeout)

    def commit_awards(self, ctx, round_id, awards):
        """Returns {"accepted": [contract, ...], "refused": [{bid_uuid,
        reason}, ...]}."""
        return self.client.call(ctx, 'commit_awards', round_id=round_id,
                                awards=awards)

    def reject_bids(self, ctx, uuids, reason):
        return self.client.call(ctx, 'reject_bids', uuids=uuids,
                                reason=reason)

    def record_round(self, ctx, round):
        return self.client.call(ctx, 'record_round', round=round)

    def list_rounds(self, ctx, limit, marker=None):
        return self.client.call(ctx, 'list_rounds', limit=limit,
                                marker=marker)

    def get_round(self, ctx, uuid):
        return self.client.call(ctx, 'get_round', uuid=uuid)

    def market_prices(self, ctx, resource_class=None, since=None):
        return self.client.call(ctx, 'market_prices',
                                resource_class=resource_class, since=since)

    # For providers

    def publish_offer(self, ctx, offer):
        return self._provider_call(ctx, 'publish_offer', offer=offer)

    def cancel_offer(self, ctx, uuid):
        return self._provider_call(ctx, 'cancel_offer', uuid=uuid)

    def _provider_call(self, ctx, method, **kwargs):
        return self.client.prepare(version='1.4').call(
            ctx, method, provider=self.provider, **kwargs)

    def list_offers(self, ctx, provider, status=None):
        return rpc.call_when_served(self.client, ctx, 'list_offers',
                                    self.timeout, provider=provider,
                                    status=status)

    def list_contracts(self, ctx, provider, status=None):
        return rpc.call_when_served(self.client, ctx, 'list_contracts',
                                    self.timeout, provider=provider,
                                    status=status)

    def set_contract_access(self, ctx, uuid, access):
        """A renter of another cloud's credential for the node's cloud.

        Secret: the market shows it to the renter alone, never logs it.
        """
        return self._provider_call(ctx, 'set_contract_access', uuid=uuid,
                                   access=access)

    def update_contract(self, ctx, uuid, status, reason=None):
        return self._provider_call(ctx, 'update_contract', uuid=uuid,
                                   status=status, reason=reason)

    def report_delivery(self, ctx, uuid, resource_uuid, lent_at=None,
                        reclaimed_at=None):
        """When the provider set (lent_at) or unset (reclaimed_at) the
        renter as lessee: what the renter is billed for."""
        return self._provider_call(
            ctx, 'report_delivery', uuid=uuid, resource_uuid=resource_uuid,
            lent_at=lent_at, reclaimed_at=reclaimed_at)
