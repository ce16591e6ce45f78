"""flocx-provider-api: serve the provider REST API."""

import sys

from oslo_log import log

from flocx_common import server
from flocx_provider.api import app
from flocx_provider import conf as provider_conf


def main(argv=None):
    conf = provider_conf.get_conf(sys.argv[1:] if argv is None else argv)
    log.setup(conf, 'flocx-provider-api')
    try:
        server.serve(lambda: app.setup_app(conf), conf)
    except server.InsecureNoAuth as e:
        sys.exit(f'flocx-provider-api: {e}')
