"""The market and the auction in one process, over the in-process RPC transport.

A stopgap for the dashboard test until flocx-local (flocx_common/local/cli.py
``serve``) is in the tree; it starts the same pieces the same way: the
market's API and RPC manager, the auction engine and its API, SQLite, the
``fake:/`` transport shared by everything in the process, Keystone auth::

    python -m tests.functional.dashboard.flocx_stack MARKET_CONF AUCTION_CONF

Runs until SIGTERM.
"""
import signal
import sys
import threading

import oslo_messaging
from oslo_log import log
from oslo_messaging._metrics import client as metrics_client

from flocx_auction import conf as auction_conf
from flocx_auction.api import app as auction_app
from flocx_auction.cmd import engine as auction_engine
from flocx_common import server
from flocx_market import conf as market_conf
from flocx_market.api import app as market_app
from flocx_market.cmd import manager as market_manager
from flocx_market.db import api as market_db
from flocx_market.db import migration as market_migration


def main(argv=None):
    market_file, auction_file = (sys.argv[1:] if argv is None else argv)
    confs = {
        'market': market_conf.get_conf(['--config-file', market_file]),
        'auction': auction_conf.get_conf(['--config-file', auction_file]),
    }
    for conf in confs.values():
        # flocx_common.conf does not register these yet, and oslo.messaging
        # only registers them on its global CONF: [DEFAULT] transport_url
        # (read by flocx_common.rpc before any transport exists) and
        # [oslo_messaging_metrics] (read by every RPC call). Without them
        # flocx-market-api dies at start and every RPC call fails.
        oslo_messaging.get_rpc_transport(conf, url='fake:/')
        conf.register_opts(metrics_client.oslo_messaging_metrics,
                           group='oslo_messaging_metrics')
    log.setup(confs['market'], 'flocx-dashboard-test-stack')
    market_migration.upgrade(
        market_db.Connection.from_conf(confs['market']).get_engine())
    workers = [market_manager.ManagerService(confs['market']),
               auction_engine.EngineService(confs['auction'])]
    apps = {'market': market_app.setup_app(confs['market']),
            'auction': auction_app.setup_app(confs['auction'])}
    servers = [server.make_server(app, '127.0.0.1', confs[name].api.port)
               for name, app in apps.items()]
    for worker in workers:
        worker.start()
    for http in servers:
        http.prepare()
        threading.Thread(target=http.serve, daemon=True).start()
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: done.set())
    signal.signal(signal.SIGINT, lambda *a: done.set())
    done.wait()
    for http in servers:
        http.stop()
    for worker in reversed(workers):
        worker.stop()
    return 0


if __name__ == '__main__':
    sys.exit(main())
