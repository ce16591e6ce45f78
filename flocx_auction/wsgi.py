"""The auction API as a WSGI application, for uwsgi, gunicorn or mod_wsgi.

``application`` is built when this module is imported, from the config file
named by ``FLOCX_AUCTION_CONFIG`` (default /etc/flocx/flocx-auction.conf)::

    uwsgi --http-socket :8081 --module flocx_auction.wsgi:application
    gunicorn flocx_auction.wsgi:application

(mod_wsgi: ``WSGIScriptAlias`` to this file.) The service refuses to start
without a ``[DEFAULT] transport_url``.
"""

from flocx_common import cmd
from flocx_auction.api import app
from flocx_auction import conf


def initialize_application():
    return cmd.wsgi_application('flocx-auction-api', 'FLOCX_AUCTION_CONFIG',
                                conf.get_conf, app.setup_app)


application = initialize_application()
