"""flocx-market-manager: the market's RPC server and its periodic sweeps."""

import threading

from oslo_log import log

from flocx_common import cmd
from flocx_common import context
from flocx_common import rpc
from flocx_market import conf as market_conf
from flocx_market import manager
from flocx_market import market

LOG = log.getLogger(__name__)


class ManagerService:
    """The RPC server plus the expiry sweep, startable in any process."""

    def __init__(self, conf, services=None):
        self.conf = conf
        self.services = services or market.build_services(conf)
        self.manager = manager.MarketManager(self.services)
        self.server = rpc.get_server(conf, rpc.MARKET_TOPIC, [self.manager],
                                     enforcer=self.services.enforcer)
        self._stop = threading.Event()
        self._sweeper = threading.Thread(target=self._sweep, daemon=True,
                                         name='market-expiry')

    def start(self):
        self.server.start()
        self._sweeper.start()

    def stop(self):
        self._stop.set()
        self.server.stop()
        self.server.wait()

    def _sweep(self):
        ctx = context.get_admin_context(self.services.enforcer)
        while not self._stop.wait(self.conf.market.expire_interval):
            try:
                closed = self.manager.expire_orders(ctx)
                if closed['offers'] or closed['bids']:
                    LOG.info('Expired %d offers and %d bids',
                             len(closed['offers']), len(closed['bids']))
                self.services.db.refresh_statistics()
            except Exception:
                # The database may be restarting; the next sweep retries.
                LOG.exception('Expiry sweep failed')
            try:
                swept = self.manager.sweep_contracts(ctx)
                if swept['failed'] or swept['warned']:
                    LOG.info('Failed %d contracts no provider carried out; '
                             'warned of %d coming ends',
                             len(swept['failed']), len(swept['warned']))
            except Exception:
                # The database may be restarting; the next sweep retries.
                LOG.exception('Contract sweep failed')


def main(argv=None):
    cmd.run_service('flocx-market-manager', market_conf.get_conf, ManagerService, argv)
