"""WSGI entry point for uwsgi, gunicorn or mod_wsgi.

``FLOCX_MARKET_CONFIG`` names the config file (default
/etc/flocx/flocx-market.conf)::

    gunicorn 'flocx_market.wsgi:initialize_application()'
"""

import os

from oslo_log import log

from flocx_market.api import app
from flocx_market import conf as market_conf


def initialize_application():
    config = os.environ.get('FLOCX_MARKET_CONFIG',
                            '/etc/flocx/flocx-market.conf')
    conf = market_conf.get_conf(['--config-file', config])
    log.setup(conf, 'flocx-market-api')
    return app.setup_app(conf)
