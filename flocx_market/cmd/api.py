"""flocx-market-api: serve the marketplace REST API."""

from flocx_common import cmd
from flocx_market.api import app
from flocx_market import conf


def main(argv=None):
    cmd.serve_api('flocx-market-api', conf.get_conf, app.setup_app, argv)
