"""Client side of the auction engine's RPC API.

API version history:

* 1.0 -- order_created, order_cancelled, book_changed (topic flocx-auction,
  fanout); start_round, status (topic flocx-auction-leader).
"""

from flocx_common import rpc


class AuctionAPI:
    RPC_API_VERSION = '1.0'

    def __init__(self, conf):
        self.client = rpc.get_client(conf, rpc.AUCTION_TOPIC,
                                     self.RPC_API_VERSION)
        self.leader = rpc.get_client(conf, rpc.AUCTION_LEADER_TOPIC,
                                     self.RPC_API_VERSION)

    def order_created(self, ctx, kind, order):
        """A new offer or bid: fanned out, every engine keeps a warm book."""
        self.client.prepare(fanout=True).cast(ctx, 'order_created',
                                              kind=kind, order=order)

    def order_cancelled(self, ctx, kind, uuid):
        self.client.prepare(fanout=True).cast(ctx, 'order_cancelled',
                                              kind=kind, uuid=uuid)

    def book_changed(self, ctx):
        """Something the engines cannot follow order by order: reload."""
        self.client.prepare(fanout=True).cast(ctx, 'book_changed')

    def start_round(self, ctx, timeout=120):
        """Clear now on the leading engine; returns the round."""
        return self.leader.prepare(timeout=timeout).call(ctx, 'start_round')

    def status(self, ctx, timeout=5):
        return self.leader.prepare(timeout=timeout).call(ctx, 'status')
