"""The marketplace API application."""

from flocx_common.api import app as common_app
from flocx_market.api import root
from flocx_market.api import versions
from flocx_market import market as market_service


def setup_app(conf, services=None):
    services = services or market_service.build_services(conf)
    return common_app.build_wsgi_app(
        conf, root.RootController(), services, versions.SERVICE_TYPE,
        versions.MIN_VERSION, versions.MAX_VERSION)
