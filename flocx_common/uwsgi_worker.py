"""The WSGI application uWSGI loads in each worker of ``flocx-*-api``.

Imported after the fork (uWSGI's ``--lazy-apps``): see
flocx_common.server.serve.
"""

from flocx_common import server

application = server.app_factory()
