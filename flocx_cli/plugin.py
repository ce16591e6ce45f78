"""OpenStackClient plugin: ``openstack market ...``.

osc finds this module through the ``openstack.cli.extension`` entry point and
the commands through ``openstack.market.v1``; ``make_client`` is called the
first time a command touches ``self.app.client_manager.market``.
"""

from osc_lib import utils

from flocx_cli import http

API_NAME = 'market'
API_VERSION_OPTION = 'os_market_api_version'
DEFAULT_API_VERSION = http.API_VERSIONS[http.MARKET]
# Every marketplace microversion this CLI knows; osc warns about others.
API_VERSIONS = ('1.0',)


def make_client(instance):
    return http.Client(instance, instance._api_version[API_NAME])


def build_option_parser(parser):
    parser.add_argument(
        '--os-market-api-version',
        metavar='<market-api-version>',
        default=utils.env('OS_MARKET_API_VERSION',
                          default=DEFAULT_API_VERSION),
        help=f'Marketplace API microversion to request (env '
             f'OS_MARKET_API_VERSION, default {DEFAULT_API_VERSION}). The '
             'auction and provider APIs are always asked for the version '
             'this client was written for.')
    return parser
