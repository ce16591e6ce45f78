"""flocx-market-api: serve the marketplace REST API."""

import sys

from oslo_log import log

from flocx_common import server
from flocx_market.api import app
from flocx_market import conf as market_conf


def main(argv=None):
    conf = market_conf.get_conf(sys.argv[1:] if argv is None else argv)
    log.setup(conf, 'flocx-market-api')
    try:
        server.serve(lambda: app.setup_app(conf), conf)
    except server.InsecureNoAuth as e:
        sys.exit(f'flocx-market-api: {e}')
