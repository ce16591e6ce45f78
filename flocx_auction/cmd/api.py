"""flocx-auction-api: serve the auction engine's REST API."""

from flocx_common import cmd
from flocx_auction.api import app
from flocx_auction import conf


def main(argv=None):
    cmd.serve_api('flocx-auction-api', conf.get_conf, app.setup_app, argv)
