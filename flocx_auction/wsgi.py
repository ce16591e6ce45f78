"""WSGI entry point for uwsgi, gunicorn or mod_wsgi.

``FLOCX_AUCTION_CONFIG`` names the config file (default
/etc/flocx/flocx-auction.conf)::

    gunicorn 'flocx_auction.wsgi:initialize_application()'
"""

from flocx_common import cmd
from flocx_auction.api import app
from flocx_auction import conf


def initialize_application():
    return cmd.wsgi_application('flocx-auction-api', 'FLOCX_AUCTION_CONFIG',
                                conf.get_conf, app.setup_app)
