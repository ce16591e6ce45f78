"""The auction engine's RPC endpoints.

Every engine listens on topic ``flocx-auction`` (fanout casts keep every
book warm); only the leader listens on ``flocx-auction-leader``, so a
``start_round`` or ``status`` call always reaches the engine that clears.
"""

import oslo_messaging as messaging

from flocx_auction import engine as engine_mod
from flocx_common.api import errors


class BookEndpoint:
    target = messaging.Target(version='1.0')

    def __init__(self, engine):
        self.engine = engine

    def order_created(self, ctx, kind, order):
        self.engine.order_created(kind, order)

    def order_cancelled(self, ctx, kind, uuid):
        self.engine.order_cancelled(kind, uuid)

    def book_changed(self, ctx):
        self.engine.book_changed()


class LeaderEndpoint:
    target = messaging.Target(version='1.0')

    def __init__(self, engine):
        self.engine = engine

    @messaging.expected_exceptions(errors.APIError)
    def start_round(self, ctx):
        try:
            return self.engine.run_round(reload=True)
        except engine_mod.NotLeader as e:
            raise errors.ServiceUnavailable(str(e))

    def status(self, ctx):
        return self.engine.status()
