"""The provider API application."""

from flocx_common.api import app as common_app
from flocx_provider.api import root
from flocx_provider.api import versions
from flocx_provider import provider


def setup_app(conf, services=None):
    services = services or provider.build_services(conf)
    return common_app.build_wsgi_app(
        conf, root.RootController(), services, versions.SERVICE_TYPE,
        versions.MIN_VERSION, versions.MAX_VERSION)
