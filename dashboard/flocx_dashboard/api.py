"""The marketplace and auction REST APIs, called with the Horizon user's token.

Everything goes through python-flocxclient, the library the CLI uses too:
endpoints come from the user's service catalog (service types
``marketplace``, ``auction`` and ``provider``); requests go through a
keystoneauth session holding the token of the Horizon session, so the APIs
see the user and the project exactly as the CLI would. Error answers become
``flocxclient.exceptions`` errors (``flocx_dashboard.exceptions`` names them
for Horizon): ``horizon.exceptions.handle`` turns them into messages.
"""
import datetime
import decimal
import itertools

from django.conf import settings
from flocxclient import client as flocx_client
from horizon import exceptions as horizon_exceptions
from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint
from openstack_dashboard.api import base

from flocx_dashboard import exceptions

MARKETPLACE = flocx_client.MARKETPLACE
AUCTION = flocx_client.AUCTION
PROVIDER = flocx_client.PROVIDER
# Statements with their days (GET /v1/statements at marketplace 1.4).
STATEMENT_DAYS = '1.4'
TIMEOUT = 30
# At most this many items of a list on one page of the panel.
MAX_ITEMS = 10000
OFFER_STATUSES = flocx_client.OFFER_STATUSES
BID_STATUSES = flocx_client.BID_STATUSES
CONTRACT_STATUSES = flocx_client.CONTRACT_STATUSES
LIVE_CONTRACT_STATUSES = ('scheduled', 'active')
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

    def __setitem__(self, name, value):
        """What a panel adds for its own display (e.g. "booked")."""
        self._data[name] = value

    def get(self, name, default=None):
        return self._data.get(name, default)

    def to_dict(self):
        return dict(self._data)

    def __repr__(self):
        return f'<{type(self).__name__} {self.id}>'


def is_enabled(request, service_type):
    return base.is_service_enabled(request, service_type)


def flocxclient(request, *service_types, api_versions=None):
    """A flocxclient.Client for the Horizon user, with the endpoints of
    ``service_types`` taken from the user's catalog (and, for some calls,
    a later microversion than flocxclient's default: ``api_versions``)."""
    verify = not getattr(settings, 'OPENSTACK_SSL_NO_VERIFY', False)
    if verify and getattr(settings, 'OPENSTACK_SSL_CACERT', None):
        verify = settings.OPENSTACK_SSL_CACERT
    endpoints = {st: base.url_for(request, st) for st in service_types}
    first = next(iter(endpoints.values()))
    auth = token_endpoint.Token(first.rstrip('/'), request.user.token.id)
    session = ks_session.Session(auth=auth, verify=verify, timeout=TIMEOUT,
                                 app_name='flocx-dashboard')
    return flocx_client.Client(
        session, endpoint_overrides=endpoints, api_versions=api_versions,
        global_request_id=getattr(request, 'request_id', None))


def _list(items):
    return [APIResource(item) for item in itertools.islice(items, MAX_ITEMS)]


def _filters(filters):
    # No limit: the API's own page size, every next link followed.
    return {k: v for k, v in (filters or {}).items() if v not in (None, '')}


# Market: offers
def offer_list(request, **filters):
    """Open offers of every project, and the caller's own in any status."""
    return _list(flocxclient(request, MARKETPLACE).list_offers(
        **_filters(filters)))


def offer_get(request, uuid):
    return APIResource(flocxclient(request, MARKETPLACE).get_offer(uuid))


def offer_cancel(request, uuid):
    """Cancel an offer nothing is booked on (the market answers 409 else)."""
    return APIResource(flocxclient(request, MARKETPLACE).cancel_offer(uuid))


def offer_withdraw(request, uuid, reason=None):
    """Take the unsold rest of an offer off the market; its contracts
    stand."""
    return APIResource(flocxclient(request, MARKETPLACE).withdraw_offer(
        uuid, reason=reason or None))


def offer_availability(request, uuid):
    """{offer_uuid, status, start_time, end_time, cleaning_gap, booked:
    [{contract_uuid, status, start_time, end_time, booked_until}], free:
    [[start, end]]} (the offer's owner and market readers)."""
    return flocxclient(request, MARKETPLACE).get_offer_availability(uuid)


def offer_create(request, node, start_time, end_time, price):
    """Offer a node of the project through its cloud's provider, which
    checks it in Ironic and publishes it under the same uuid."""
    return APIResource(flocxclient(request, PROVIDER).create_offer(
        node, isotime(start_time), isotime(end_time), price))


def booked_offer_uuids(contracts):
    """The offers a scheduled or active contract holds a node of: the
    market refuses to cancel them (409); they can only be withdrawn."""
    return {uuid for contract in contracts
            if contract.get('status') in LIVE_CONTRACT_STATUSES
            for uuid in contract.get('offer_uuids') or ()}


# Provider: the project's own Ironic nodes
def node_list(request):
    """[{uuid, name, resource_class, properties, provision_state,
    maintenance, offerable, not_offerable_reason}]"""
    return _list(flocxclient(request, PROVIDER).list_nodes())


# Market: bids
def bid_list(request, **filters):
    return _list(flocxclient(request, MARKETPLACE).list_bids(
        **_filters(filters)))


def bid_create(request, quantity, start_time, duration, price,
               resource_class=None, constraints=None, latest_start_time=None,
               decide_by=None, span_clouds=False):
    body = {'quantity': quantity, 'start_time': isotime(start_time),
            'duration': duration, 'price': price}
    if span_clouds:
        # Marketplace 1.2: otherwise a bid's nodes are all in one cloud.
        body['span_clouds'] = True
    if resource_class:
        body['resource_class'] = resource_class
    if constraints:
        body['constraints'] = constraints
    if latest_start_time:
        body['latest_start_time'] = isotime(latest_start_time)
    if decide_by:
        body['decide_by'] = isotime(decide_by)
    return APIResource(flocxclient(request, MARKETPLACE).create_bid(body))


def bid_get(request, uuid):
    return APIResource(flocxclient(request, MARKETPLACE).get_bid(uuid))


def bid_cancel(request, uuid):
    return APIResource(flocxclient(request, MARKETPLACE).cancel_bid(uuid))


# Market: contracts
def contract_list(request, **filters):
    return _list(flocxclient(request, MARKETPLACE).list_contracts(
        **_filters(filters)))


def contract_get(request, uuid):
    return APIResource(flocxclient(request, MARKETPLACE).get_contract(uuid))


def contract_return(request, uuid):
    """The renter gives every live node back now."""
    return APIResource(flocxclient(request, MARKETPLACE).return_contract(
        uuid))


def contract_extend(request, uuid, end_time):
    return APIResource(flocxclient(request, MARKETPLACE).extend_contract(
        uuid, isotime(end_time)))


def contract_revoke(request, uuid, reason):
    """An owner ends its nodes of the contract (a market admin any),
    telling the renter why."""
    return APIResource(flocxclient(request, MARKETPLACE).revoke_contract(
        uuid, reason))


def contract_access(request, uuid):
    """The renter's credential for the nodes' cloud (renters of another
    cloud only: a secret)."""
    return flocxclient(request, MARKETPLACE).get_contract_access(uuid)[
        'access']


# Market: money and the owners' record (microversion 1.1)
def statement_get(request, period=None, project_id=None):
    """GET /v1/statements: {period, project_id, start_time, end_time,
    contracts: [{contract_uuid, project_id, role, node_hours, paid,
    refunds, fees, earned}], organizations: [{project_id, paid, refunds,
    fees, earned}], totals: {renters_paid, owners_earned}, and for a
    system reader operator: {surplus, fees}}; amounts are decimal strings.
    A malformed or future period: 400, with the market's reason."""
    # 1.4: with ``days`` (what was paid and earned on each day), which
    # the panel's chart draws.
    return flocxclient(request, MARKETPLACE,
                       api_versions={MARKETPLACE: STATEMENT_DAYS}
                       ).get_statement(period=period or None,
                                       project_id=project_id or None)


def reliability_list(request):
    """[{owner_project_id, contracts, revocations}] of every owner."""
    return flocxclient(request, MARKETPLACE).get_reliability()


# Auction
def prices(request, resource_class=None, since=None):
    """{"prices": [{resource_class, round_id, time, price}], "depth": [...]}"""
    return flocxclient(request, AUCTION).get_prices(
        resource_class=resource_class or None,
        since=isotime(since) if since else None)


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
            'nodes_on_offer': 0, 'free_node_hours': None,
            'lowest_ask': None, 'bids': None,
            'nodes_wanted': None})
        row['offers'] += 1
        row['nodes_on_offer'] += 1
        price = decimal_price(offer['price'])
        if row['lowest_ask'] is None or price < row['lowest_ask']:
            row['lowest_ask'] = price
    return sorted(depth.values(), key=lambda r: r['resource_class'])


def decimal_price(value):
    """A price of the APIs as the exact decimal it was written as.

    The APIs answer JSON numbers, which arrive as floats; a float's repr
    is the shortest text that reads back as it, i.e. the decimal written
    (1.5, 0.1, 2.3456), never 0.1000000000000000055511151231257827.
    """
    if value is None or value == '':
        return None
    if isinstance(value, decimal.Decimal):
        return value
    return decimal.Decimal(repr(value) if isinstance(value, float)
                           else str(value))


def isotime(value):
    if isinstance(value, str):
        return value
    if value.tzinfo is not None:
        value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return value.strftime('%Y-%m-%dT%H:%M:%SZ')


def parse_time(text):
    """An API time (ISO 8601, UTC) as an aware datetime, or None."""
    if not text:
        return None
    text = str(text)
    # Python 3.10's fromisoformat does not read a "Z" suffix.
    if text.endswith('Z'):
        text = text[:-1] + '+00:00'
    value = datetime.datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return value
