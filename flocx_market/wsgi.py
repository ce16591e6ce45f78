"""WSGI entry point for uwsgi, gunicorn or mod_wsgi.

``FLOCX_MARKET_CONFIG`` names the config file (default
/etc/flocx/flocx-market.conf)::

    gunicorn 'flocx_market.wsgi:initialize_application()'
"""

from flocx_common import cmd
from flocx_market.api import app
from flocx_market import conf


def initialize_application():
    return cmd.wsgi_application('flocx-market-api', 'FLOCX_MARKET_CONFIG',
                                conf.get_conf, app.setup_app)
