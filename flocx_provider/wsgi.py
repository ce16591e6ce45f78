"""WSGI entry point for uwsgi, gunicorn or mod_wsgi.

``FLOCX_PROVIDER_CONFIG`` names the config file (default
/etc/flocx/flocx-provider.conf)::

    gunicorn 'flocx_provider.wsgi:initialize_application()'
"""

from flocx_common import cmd
from flocx_provider.api import app
from flocx_provider import conf


def initialize_application():
    return cmd.wsgi_application('flocx-provider-api', 'FLOCX_PROVIDER_CONFIG',
                                conf.get_conf, app.setup_app)
