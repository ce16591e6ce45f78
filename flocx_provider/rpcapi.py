"""Client side of a provider service's RPC API (topic flocx-provider).

Each provider serves the topic with its own name as the RPC server, so the
market can address the provider that published an offer.

API version history:

* 1.0 -- contract_changed.
* 1.1 -- offer_closed.
"""

from flocx_common import rpc


class ProviderAPI:
    RPC_API_VERSION = '1.0'

    def __init__(self, conf):
        self.client = rpc.get_client(conf, rpc.PROVIDER_TOPIC,
                                     self.RPC_API_VERSION)

    def contract_changed(self, ctx, provider, contract):
        """A nudge: the provider also polls the market, so a lost cast only
        delays fulfilment until its next poll."""
        self.client.prepare(server=provider).cast(
            ctx, 'contract_changed', contract=contract)

    def offer_closed(self, ctx, provider, offer):
        """The market closed one of the provider's offers (cancelled through
        the market). A cast: the provider also compares its offers with the
        market's periodically, so a lost one only delays the close."""
        self.client.prepare(server=provider, version='1.1').cast(
            ctx, 'offer_closed', offer=offer)
