"""flocx-auction-api: serve the auction engine's REST API."""

import sys

from oslo_log import log

from flocx_auction.api import app
from flocx_auction import conf as auction_conf
from flocx_common import server


def main(argv=None):
    conf = auction_conf.get_conf(sys.argv[1:] if argv is None else argv)
    log.setup(conf, 'flocx-auction-api')
    try:
        server.serve(lambda: app.setup_app(conf), conf)
    except server.InsecureNoAuth as e:
        sys.exit(f'flocx-auction-api: {e}')
