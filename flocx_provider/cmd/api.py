"""flocx-provider-api: serve the provider REST API."""

from flocx_common import cmd
from flocx_provider.api import app
from flocx_provider import conf


def main(argv=None):
    cmd.serve_api('flocx-provider-api', conf.get_conf, app.setup_app, argv)
