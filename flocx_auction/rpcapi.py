"""Client side of the auction engine's RPC API.

API version history:

* 1.0 -- order_created, order_cancelled, book_changed (topic flocx-auction,
  fanout); start_round, status (topic flocx-auction-leader).
"""

from oslo_log import log
import oslo_messaging as messaging

from flocx_common import rpc

LOG = log.getLogger(__name__)


class AuctionAPI:
    RPC_API_VERSION = '1.0'

    def __init__(self, conf):
        self.client = rpc.get_client(conf, rpc.AUCTION_TOPIC,
                                     self.RPC_API_VERSION)
        self.leader = rpc.get_client(conf, rpc.AUCTION_LEADER_TOPIC,
                                     self.RPC_API_VERSION)

    def _fanout(self, ctx, method, **kwargs):
        """Cast to every engine, best effort.

        The market's database is the source of truth: an engine reloads the
        whole book when it takes the lead and every resync_interval. With
        no engine running, RabbitMQ has no fanout exchange to take the cast
        (404 NOT_FOUND, as while the only engine restarts): the order is
        written all the same, and its request must not fail (it was a 500
        after the order was made).
        """
        try:
            self.client.prepare(fanout=True).cast(ctx, method, **kwargs)
        except messaging.MessageDeliveryFailure as e:
            # (The exception names the exchange, never the order.)
            LOG.warning('No auction engine took the %s cast (%s); an '
                        'engine reads the whole order book from the market '
                        'when it takes the lead.', method, e)

    def order_created(self, ctx, kind, order):
        """A new offer or bid: fanned out, every engine keeps a warm book."""
        self._fanout(ctx, 'order_created', kind=kind, order=order)

    def order_cancelled(self, ctx, kind, uuid):
        self._fanout(ctx, 'order_cancelled', kind=kind, uuid=uuid)

    def book_changed(self, ctx):
        """Something the engines cannot follow order by order: reload."""
        self._fanout(ctx, 'book_changed')

    def start_round(self, ctx, timeout=120):
        """Clear now on the leading engine; returns the round."""
        return self.leader.prepare(timeout=timeout).call(ctx, 'start_round')

    def status(self, ctx, timeout=5):
        return self.leader.prepare(timeout=timeout).call(ctx, 'status')
