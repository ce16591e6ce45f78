"""flocx-auction-engine: hold the order book and clear the market in rounds."""

import threading

from oslo_log import log

from flocx_auction import conf as auction_conf
from flocx_auction import engine
from flocx_auction import manager
from flocx_auction import policies
from flocx_common import cmd
from flocx_common import context
from flocx_common import policy as common_policy
from flocx_common import rpc
from flocx_market import rpcapi as market_rpcapi

LOG = log.getLogger(__name__)


class EngineService:
    """An engine with its RPC servers, startable in any process."""

    def __init__(self, conf):
        self.conf = conf
        enforcer = common_policy.make_enforcer(conf, policies.list_rules())
        self.engine = engine.Engine(
            conf, market_rpcapi.MarketAPI(conf),
            context.get_admin_context(enforcer))
        self.book_server = rpc.get_server(
            conf, rpc.AUCTION_TOPIC, [manager.BookEndpoint(self.engine)],
            enforcer=enforcer, server=self.engine.member_id)
        self.leader_server = None
        self._enforcer = enforcer
        self._leader_lock = threading.Lock()
        self._stopped = False
        self.engine.on_leadership_change = self._leadership_changed

    def _leadership_changed(self, leading):
        with self._leader_lock:
            if leading and self.leader_server is None:
                self.leader_server = rpc.get_server(
                    self.conf, rpc.AUCTION_LEADER_TOPIC,
                    [manager.LeaderEndpoint(self.engine)],
                    enforcer=self._enforcer, server=self.engine.member_id)
                self.leader_server.start()
            elif not leading and self.leader_server is not None:
                self.leader_server.stop()
                self.leader_server.wait()
                self.leader_server = None

    def start(self):
        self.book_server.start()
        self.engine.start()

    def stop(self):
        if self._stopped:
            return
        self._stopped = True
        # The book server winds down while the engine steps down (which
        # stops the leader server): each RPC server takes about a second
        # (rpc.RPCServer), so both at once halve the engine's shutdown.
        book = threading.Thread(target=self._stop_book_server,
                                name='stop-book-server')
        book.start()
        self.engine.stop()
        self._leadership_changed(False)
        book.join()

    def _stop_book_server(self):
        self.book_server.stop()
        self.book_server.wait()


def main(argv=None):
    cmd.run_service('flocx-auction-engine', auction_conf.get_conf, EngineService, argv)
