"""The marketplace and auction REST APIs, called with the Horizon user's token.

Endpoints come from the user's service catalog (service types
``marketplace`` and ``auction``); requests go through a keystoneauth session
holding the token of the Horizon session, so the APIs see the user and the
project exactly as the CLI would. Error answers ({"errors": [{"status",
"title", "detail", "source": {"pointer"}}]}) become
``flocx_dashboard.exceptions`` errors, which the enabled files registered with
Horizon: ``horizon.exceptions.handle`` turns them into messages.
"""
import datetime
import logging

from django.conf import settings
from horizon import exceptions as horizon_exceptions
from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint
from openstack_dashboard.api import base

from flocx_dashboard import exceptions

LOG = logging.getLogger(__name__)

MARKETPLACE = 'marketplace'
AUCTION = 'auction'
API_VERSION = '1.0'
TIMEOUT = 30
PAGE = 1000
MAX_PAGES = 10
OFFER_STATUSES = ('open', 'cancelled', 'expired')
BID_STATUSES = ('open', 'contracted', 'cancelled', 'expired')
CONTRACT_STATUSES = ('scheduled', 'active', 'completed', 'cancelled',
                     'failed')
# What a panel catches and hands to horizon.exceptions.handle: API errors
# and a service missing from the catalog.
ERRORS = (exceptions.MarketplaceError,
          horizon_exceptions.ServiceCatalogException)
# flocx_common.hardware.OPS
CONSTRAINT_OPS = ('==', '!=', '<', '<=', '>', '>=', 'in', 'has')


class APIResource:
    """One JSON object of the APIs, with attribute access for DataTables."""

    def __init__(self, data):
        self._data = dict(data)

    @property
    def id(self):
        return self._data.get('uuid', self._data.get('id'))

    def __getattr__(self, name):
        try:
            return self._data[name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, name):
        return self._data[name]

    def get(self, name, default=None):
        return self._data.get(name, default)

    def to_dict(self):
        return dict(self._data)

    def __repr__(self):
        return f'<{type(self).__name__} {self.id}>'


def is_enabled(request, service_type):
    return base.is_service_enabled(request, service_type)


def _session(request, service_type):
    endpoint = base.url_for(request, service_type)
    verify = not getattr(settings, 'OPENSTACK_SSL_NO_VERIFY', False)
    if verify and getattr(settings, 'OPENSTACK_SSL_CACERT', None):
        verify = settings.OPENSTACK_SSL_CACERT
    auth = token_endpoint.Token(endpoint.rstrip('/'), request.user.token.id)
    return ks_session.Session(auth=auth, verify=verify, timeout=TIMEOUT,
                              app_name='flocx-dashboard'), endpoint


def _call(request, service_type, method, path, json=None, params=None):
    session, endpoint = _session(request, service_type)
    url = endpoint.rstrip('/') + path if path.startswith('/') else path
    headers = {'OpenStack-API-Version': f'{service_type} {API_VERSION}',
               'Accept': 'application/json'}
    try:
        resp = session.request(url, method, json=json, params=params,
                               headers=headers, raise_exc=False)
    except ks_exceptions.ClientException as e:
        LOG.warning('%s %s failed: %s', method, url, e)
        raise exceptions.MarketplaceError(
            f'The {service_type} service at {endpoint} could not be '
            f'reached: {e}', service=service_type) from e
    if resp.status_code >= 400:
        raise _error(service_type, resp)
    if resp.status_code == 204 or not resp.content:
        return None
    return resp.json()


def _error(service_type, resp):
    first = {}
    try:
        errors = resp.json().get('errors') or []
        first = errors[0] if errors else {}
    except (ValueError, AttributeError):
        pass
    detail = first.get('detail') or first.get('title') or (
        f'{service_type} answered HTTP {resp.status_code}')
    cls = {401: exceptions.MarketplaceUnauthorized,
           404: exceptions.MarketplaceNotFound}.get(
        resp.status_code, exceptions.MarketplaceError)
    return cls(detail, status=resp.status_code, title=first.get('title'),
               code=first.get('code'),
               pointer=(first.get('source') or {}).get('pointer'),
               service=service_type)


def _list(request, service_type, path, key, filters):
    params = {k: v for k, v in (filters or {}).items() if v not in (None, '')}
    params.setdefault('limit', PAGE)
    body = _call(request, service_type, 'GET', path, params=params)
    items = list(body.get(key, []))
    pages = 1
    while body.get('next') and pages < MAX_PAGES:
        body = _call(request, service_type, 'GET', body['next'])
        items.extend(body.get(key, []))
        pages += 1
    return [APIResource(item) for item in items]


# Market: offers
def offer_list(request, **filters):
    """Open offers of every project, and the caller's own in any status."""
    return _list(request, MARKETPLACE, '/v1/offers', 'offers', filters)


def offer_cancel(request, uuid):
    return APIResource(_call(request, MARKETPLACE, 'DELETE',
                             f'/v1/offers/{uuid}'))


# Market: bids
def bid_list(request, **filters):
    return _list(request, MARKETPLACE, '/v1/bids', 'bids', filters)


def bid_create(request, quantity, start_time, duration, price,
               resource_class=None, constraints=None, latest_start_time=None,
               decide_by=None):
    body = {'quantity': quantity, 'start_time': isotime(start_time),
            'duration': duration, 'price': price}
    if resource_class:
        body['resource_class'] = resource_class
    if constraints:
        body['constraints'] = constraints
    if latest_start_time:
        body['latest_start_time'] = isotime(latest_start_time)
    if decide_by:
        body['decide_by'] = isotime(decide_by)
    return APIResource(_call(request, MARKETPLACE, 'POST', '/v1/bids',
                             json=body))


def bid_cancel(request, uuid):
    return APIResource(_call(request, MARKETPLACE, 'DELETE',
                             f'/v1/bids/{uuid}'))


# Market: contracts
def contract_list(request, **filters):
    return _list(request, MARKETPLACE, '/v1/contracts', 'contracts', filters)


# Auction
def prices(request, resource_class=None, since=None):
    """{"prices": [{resource_class, round_id, time, price}], "depth": [...]}"""
    params = {'resource_class': resource_class,
              'since': isotime(since) if since else None}
    return _call(request, AUCTION, 'GET', '/v1/prices',
                 params={k: v for k, v in params.items() if v})


def depth_from_offers(offers):
    """Market depth on the ask side only, from the open offers.

    What the Market panel shows when there is no auction service to ask:
    bids are sealed, so the bid side is unknown here.
    """
    depth = {}
    for offer in offers:
        if offer.get('status') != 'open':
            continue
        row = depth.setdefault(offer['resource_class'], {
            'resource_class': offer['resource_class'], 'offers': 0,
            'nodes_on_offer': 0, 'lowest_ask': None, 'bids': None,
            'nodes_wanted': None})
        row['offers'] += 1
        row['nodes_on_offer'] += 1
        price = float(offer['price'])
        if row['lowest_ask'] is None or price < row['lowest_ask']:
            row['lowest_ask'] = price
    return sorted(depth.values(), key=lambda r: r['resource_class'])


def isotime(value):
    if isinstance(value, str):
        return value
    if value.tzinfo is not None:
        value = value.astimezone(datetime.UTC).replace(tzinfo=None)
    return value.strftime('%Y-%m-%dT%H:%M:%SZ')


def parse_time(text):
    """An API time (ISO 8601, UTC) as an aware datetime, or None."""
    if not text:
        return None
    value = datetime.datetime.fromisoformat(str(text))
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.UTC)
    return value
