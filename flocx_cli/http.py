"""The one HTTP helper behind every ``openstack market`` command.

Requests go through the keystoneauth session osc built from clouds.yaml /
OS_* settings, to the endpoint the Keystone catalog lists for the service
type (or ``<service_type>_endpoint_override`` in clouds.yaml, or env
``OS_MARKETPLACE_ENDPOINT_OVERRIDE`` etc.). API errors, which all three FLOCX
APIs send in the API-SIG format, become one-line CommandErrors.
"""

from urllib import parse

from keystoneauth1 import exceptions as ks_exceptions
from osc_lib import exceptions

MARKET = 'marketplace'
AUCTION = 'auction'
PROVIDER = 'provider'

# The microversion each API is asked for: the one this client was written
# against, so that a newer server keeps answering in the shapes we parse.
API_VERSIONS = {MARKET: '1.0', AUCTION: '1.0', PROVIDER: '1.0'}


class Client:
    def __init__(self, client_manager, market_api_version=None):
        self.client_manager = client_manager
        self.versions = dict(API_VERSIONS)
        if market_api_version:
            self.versions[MARKET] = market_api_version

    def request(self, method, path, service_type=MARKET, json=None,
                params=None):
        """The decoded JSON answer to ``method path``; CommandError if not 2xx.

        ``path`` starts at the service root, e.g. ``/v1/bids``.
        """
        url = self.endpoint(service_type).rstrip('/') + path
        headers = {'Accept': 'application/json',
                   'OpenStack-API-Version':
                       f'{service_type} {self.versions[service_type]}'}
        try:
            resp = self.client_manager.session.request(
                url, method, json=json, params=params, headers=headers,
                raise_exc=False)
        except ks_exceptions.ConnectionError as e:
            raise exceptions.CommandError(
                f'Cannot reach the {service_type} API: {e}')
        if resp.status_code >= 400:
            raise exceptions.CommandError(error_message(resp))
        return resp.json() if resp.content else None

    def list(self, path, key, service_type=MARKET, params=None):
        """All items of a list; only the first page when a limit is given."""
        params = {k: v for k, v in (params or {}).items() if v is not None}
        one_page = 'limit' in params
        items = []
        while True:
            body = self.request('GET', path, service_type, params=params)
            items.extend(body[key])
            if one_page or not body.get('next'):
                return items
            # Only the query of the next link is reused: its host is what the
            # server thinks its public address is, while our token should
            # go to the catalog's endpoint only.
            params = dict(parse.parse_qsl(parse.urlsplit(body['next']).query))

    def endpoint(self, service_type):
        cm = self.client_manager
        try:
            url = cm.get_endpoint_for_service_type(
                service_type, region_name=cm.region_name,
                interface=cm.interface)
        except ks_exceptions.EndpointNotFound:
            url = None
        if not url:
            raise exceptions.CommandError(
                f'No {service_type!r} endpoint in the service catalog '
                f'(interface {cm.interface}, region {cm.region_name}). '
                f'Register one in Keystone, or set '
                f'{service_type}_endpoint_override in clouds.yaml.')
        return url


def error_message(resp):
    """The API's own sentence for a failed request, with status and id."""
    try:
        error = resp.json()['errors'][0]
        detail = error['detail']
    except (ValueError, KeyError, IndexError, TypeError):
        # Not one of ours: e.g. a proxy's HTML page.
        error = {}
        detail = ' '.join(resp.text.split())[:300] or resp.reason
    request_id = (error.get('request_id') or
                  resp.headers.get('x-openstack-request-id'))
    status = f'HTTP {resp.status_code} {error.get("title") or resp.reason}'
    if request_id:
        status += f', request {request_id}'
    return f'{detail} ({status})'
