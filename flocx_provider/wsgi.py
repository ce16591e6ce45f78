"""WSGI entry point for uwsgi, gunicorn or mod_wsgi.

``FLOCX_PROVIDER_CONFIG`` names the config file (default
/etc/flocx/flocx-provider.conf)::

    gunicorn 'flocx_provider.wsgi:initialize_application()'
"""

import os

from oslo_log import log

from flocx_provider.api import app
from flocx_provider import conf as provider_conf


def initialize_application():
    config = os.environ.get('FLOCX_PROVIDER_CONFIG',
                            '/etc/flocx/flocx-provider.conf')
    conf = provider_conf.get_conf(['--config-file', config])
    log.setup(conf, 'flocx-provider-api')
    return app.setup_app(conf)
