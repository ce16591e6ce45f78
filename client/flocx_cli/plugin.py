"""OpenStackClient plugin: ``openstack market ...``.

osc finds this module through the ``openstack.cli.extension`` entry point and
the commands through ``openstack.market.v1``; ``make_client`` is called the
first time a command touches ``self.app.client_manager.market``, and returns
the python-flocxclient Client every command talks through.

Endpoints: the Keystone catalog's ``marketplace``, ``auction`` and
``provider`` services, or ``<service_type>_endpoint_override`` in
clouds.yaml (env ``OS_MARKETPLACE_ENDPOINT_OVERRIDE`` etc.).
"""

import logging

from keystoneauth1 import exceptions as ks_exceptions
from osc_lib import utils

from flocxclient import client as flocx_client

LOG = logging.getLogger(__name__)

API_NAME = 'market'
API_VERSION_OPTION = 'os_market_api_version'
DEFAULT_API_VERSION = flocx_client.API_VERSIONS[flocx_client.MARKETPLACE]
# Every marketplace microversion this CLI knows; osc warns about others.
API_VERSIONS = ('1.0', '1.1', '1.2', '1.3', '1.4')


def make_client(instance):
    overrides = {}
    for service_type in flocx_client.SERVICE_TYPES:
        # osc's own lookup: clouds.yaml's override, else the catalog, else
        # (admin_token, noauth) the auth plugin's endpoint.
        try:
            url = instance.get_endpoint_for_service_type(
                service_type, region_name=instance.region_name,
                interface=instance.interface)
        except ks_exceptions.EndpointNotFound:
            url = None  # flocxclient says so when a command needs it
        if url:
            overrides[service_type] = url
    LOG.debug('FLOCX endpoint overrides: %s', overrides)
    # --os-market-cloud, OS_MARKET_CLOUD or clouds.yaml's market_cloud:
    # openstack.config merges all three into the cloud's config.
    market_cloud = instance._cli_options.config.get('market_cloud') or None
    return flocx_client.Client(
        instance.session, region_name=instance.region_name,
        interface=instance.interface, endpoint_overrides=overrides,
        api_versions={flocx_client.MARKETPLACE:
                      instance._api_version[API_NAME]},
        user_agent='python-openstackclient', market_cloud=market_cloud)


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
    parser.add_argument(
        '--os-market-cloud',
        metavar='<cloud-name>',
        default=utils.env('OS_MARKET_CLOUD'),
        help='For a user of a member cloud of the exchange: the name the '
             'market knows this cloud by (see "openstack market cloud '
             'list"). The marketplace and the auction API then check the '
             'token with this cloud\'s Keystone (header '
             'OpenStack-Market-Cloud). Env OS_MARKET_CLOUD, or market_cloud '
             'in clouds.yaml; default: none, the token is of the market\'s '
             'home cloud.')
    return parser
