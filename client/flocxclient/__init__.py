"""python-flocxclient: Python bindings and CLI for FLOCX, the marketplace.

:class:`flocxclient.client.Client` talks to the marketplace, auction and
provider APIs; ``flocx_cli`` (in the same distribution) is the
``openstack market`` plugin of OpenStackClient built on it.
"""

from flocxclient.client import Client  # noqa: F401
