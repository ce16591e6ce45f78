"""Python bindings for the three FLOCX REST APIs.

One :class:`Client` per keystoneauth session: the marketplace (service type
``marketplace``), the auction (``auction``) and the provider of the user's
own cloud (``provider``), each behind a keystoneauth ``Adapter`` that finds
its endpoint in the service catalog (or takes an override), sends the
microversion header (``OpenStack-API-Version: <service type> <version>``)
and the caller's global request id. Error answers raise the typed errors of
:mod:`flocxclient.exceptions`; lists follow the APIs' ``next`` links.

Example::

    from keystoneauth1 import loading, session
    from flocxclient import client

    auth = loading.load_auth_from_argparse_arguments(...)
    flocx = client.Client(session.Session(auth=auth))
    for offer in flocx.list_offers(status='open'):
        print(offer['uuid'], offer['price'])

The OpenStackClient plugin (``openstack market ...``) and the Horizon panel
(flocx_dashboard) both talk to FLOCX through this module only.
"""

import decimal
import json as jsonlib
from urllib import parse

from keystoneauth1 import adapter
from keystoneauth1 import exceptions as ks_exceptions

from flocxclient import exceptions

MARKETPLACE = 'marketplace'
AUCTION = 'auction'
PROVIDER = 'provider'
SERVICE_TYPES = (MARKETPLACE, AUCTION, PROVIDER)
# The services every member cloud of the exchange shares; the provider is
# one cloud's own.
MARKET_WIDE = (MARKETPLACE, AUCTION)
#: Names the cloud whose Keystone issued the request's token.
CLOUD_HEADER = 'OpenStack-Market-Cloud'

#: The microversion each API is asked for by default: the one this client
#: was written against, so that a newer server keeps answering in the shapes
#: parsed here. Marketplace 1.1 adds a contract's life (return, extend,
#: revoke), offer withdrawal and availability, statements and reliability;
#: asked for an older one (``api_versions``), the market refuses those calls
#: with a 404 that names the microversion they need. 1.2 adds a bid's
#: ``span_clouds``, 1.3 the providers' reports (additions this client does
#: not call) and 1.4 a statement's ``days``.
API_VERSIONS = {MARKETPLACE: '1.4', AUCTION: '1.0', PROVIDER: '1.0'}
#: The marketplace microversion from which a statement has its ``days``.
STATEMENT_DAYS = '1.4'

# Within every API's default maximum page size (1,000).
EVENT_PAGE = 500

OFFER_STATUSES = ('open', 'cancelled', 'expired', 'withdrawn')
BID_STATUSES = ('open', 'contracted', 'cancelled', 'expired')
CONTRACT_STATUSES = ('scheduled', 'active', 'completed', 'cancelled',
                     'failed', 'revoked')
LEASE_STATUSES = ('scheduled', 'active', 'completed', 'cancelled', 'failed')


def item_path(collection, ident):
    """``/v1/<collection>/<ident>``, the ident quoted: it is user input."""
    return f'/v1/{collection}/{parse.quote(str(ident), safe="")}'


def dumps(body):
    """JSON text of ``body``, each ``Decimal`` written as a JSON number with
    exactly its digits (prices are exact: never through a float)."""
    numbers = []

    def default(value):
        if isinstance(value, decimal.Decimal) and value.is_finite():
            numbers.append(value)
            return f'__flocx_decimal_{len(numbers) - 1}__'
        raise TypeError(f'{type(value).__name__} is not JSON serializable')

    text = jsonlib.dumps(body, default=default)
    for index, number in enumerate(numbers):
        text = text.replace(f'"__flocx_decimal_{index}__"', str(number), 1)
    return text


class ServiceAPI:
    """Requests to one FLOCX API, through a keystoneauth Adapter."""

    def __init__(self, session, service_type, version, region_name=None,
                 interface=None, endpoint_override=None,
                 global_request_id=None, user_agent=None, headers=None):
        self.service_type = service_type
        self.version = version
        self.adapter = adapter.Adapter(
            session, service_type=service_type, interface=interface,
            region_name=region_name, endpoint_override=endpoint_override,
            default_microversion=version,
            global_request_id=global_request_id,
            client_name='python-flocxclient', user_agent=user_agent,
            additional_headers=headers)

    def endpoint(self):
        """The endpoint requests go to (catalog or override)."""
        try:
            url = self.adapter.get_endpoint()
        except ks_exceptions.EndpointNotFound:
            url = None
        if not url:
            raise exceptions.EndpointNotFound(
                f'No {self.service_type!r} endpoint in the service catalog '
                f'(interface {self.adapter.interface or "public"}, region '
                f'{self.adapter.region_name or "any"}). Register one in '
                f'Keystone, or set {self.service_type}_endpoint_override in '
                f'clouds.yaml.', service=self.service_type)
        return url

    def request(self, method, path, json=None, params=None):
        """The decoded JSON answer to ``method path`` (None if empty).

        ``path`` starts at the service root, e.g. ``/v1/bids``. Raises a
        :class:`flocxclient.exceptions.ClientException` subclass unless the
        answer is 2xx.
        """
        url = self.endpoint().rstrip('/') + path
        if params:
            params = {k: v for k, v in params.items() if v is not None}
        headers = {'Accept': 'application/json'}
        data = None
        if json is not None:
            data = dumps(json)
            headers['Content-Type'] = 'application/json'
        try:
            resp = self.adapter.request(
                url, method, data=data, params=params or None,
                headers=headers, raise_exc=False)
        except ks_exceptions.ConnectionError as e:
            raise exceptions.ConnectionFailure(
                f'Cannot reach the {self.service_type} API at {url}: {e}',
                service=self.service_type) from e
        if resp.status_code >= 400:
            raise exceptions.from_response(resp, self.service_type)
        return resp.json() if resp.content else None

    def list(self, path, key, params=None):
        """Every item of a paged list, page by page (a generator).

        With a ``limit`` in ``params`` only that one page is read, so that a
        caller can page itself with ``marker``.
        """
        params = {k: v for k, v in (params or {}).items() if v is not None}
        one_page = 'limit' in params
        while True:
            body = self.request('GET', path, params=params)
            yield from body[key]
            if one_page or not body.get('next'):
                return
            # Only the query of the next link is reused: its host is what the
            # server believes its public address is, while the token should
            # go to the catalog's endpoint only.
            params = dict(parse.parse_qsl(parse.urlsplit(body['next']).query))


class Client:
    """The three FLOCX APIs for one keystoneauth session.

    ``endpoint_overrides`` maps service types to URLs used instead of the
    catalog (as ``<service_type>_endpoint_override`` does in clouds.yaml);
    ``api_versions`` maps service types to the microversion to request.

    ``market_cloud`` is the name the market knows the session's cloud by,
    for a user of a member cloud of the exchange: the marketplace and the
    auction API then validate the session's token with that cloud's Keystone
    (header ``OpenStack-Market-Cloud``). Without it the token must be one of
    the market's home cloud. The provider API is always the user's own
    cloud's, and is not sent the header.
    """

    def __init__(self, session, region_name=None, interface=None,
                 endpoint_overrides=None, api_versions=None,
                 global_request_id=None, user_agent=None, market_cloud=None):
        overrides = endpoint_overrides or {}
        versions = dict(API_VERSIONS, **(api_versions or {}))
        cloud_header = {CLOUD_HEADER: market_cloud} if market_cloud else None
        self.services = {
            service_type: ServiceAPI(
                session, service_type, versions[service_type],
                region_name=region_name, interface=interface,
                endpoint_override=overrides.get(service_type),
                global_request_id=global_request_id, user_agent=user_agent,
                headers=cloud_header if service_type in MARKET_WIDE else None)
            for service_type in SERVICE_TYPES}
        self.market = self.services[MARKETPLACE]
        self.auction = self.services[AUCTION]
        self.provider = self.services[PROVIDER]

    # Every API

    def list_versions(self, service_type):
        """The API versions ``service_type`` serves (its root document)."""
        return self.services[service_type].request('GET', '/')['versions']

    # Marketplace: offers (listed, shown and cancelled through the market;
    # created through the provider, which checks the node in Ironic)

    def list_offers(self, **filters):
        """Open offers of every project, and the caller's own of any status.

        Filters: status, project_id, resource_class, resource_uuid,
        starts_after, starts_before, ends_after, ends_before, limit, marker,
        sort_key, sort_dir.
        """
        return self.market.list('/v1/offers', 'offers', filters)

    def get_offer(self, uuid):
        return self.market.request('GET', item_path('offers', uuid))

    def cancel_offer(self, uuid):
        """Withdraw an offer from the market (and from its provider)."""
        return self.market.request('DELETE', item_path('offers', uuid))

    def publish_offer(self, offer):
        """Put an offer straight on the market (service role only: owners
        offer through :meth:`create_offer`)."""
        return self.market.request('POST', '/v1/offers', json=offer)

    # Marketplace: bids

    def list_bids(self, **filters):
        """The caller's bids (an admin: every project's).

        Filters: status, project_id, resource_class, starts_after,
        starts_before, limit, marker, sort_key, sort_dir.
        """
        return self.market.list('/v1/bids', 'bids', filters)

    def create_bid(self, bid):
        return self.market.request('POST', '/v1/bids', json=bid)

    def get_bid(self, uuid):
        return self.market.request('GET', item_path('bids', uuid))

    def cancel_bid(self, uuid):
        return self.market.request('DELETE', item_path('bids', uuid))

    # Marketplace: contracts and events

    def list_contracts(self, **filters):
        """Filters: status, bid_uuid, project_id, starts_after,
        starts_before, ends_after, ends_before, limit, marker, sort_key,
        sort_dir."""
        return self.market.list('/v1/contracts', 'contracts', filters)

    def get_contract(self, uuid):
        return self.market.request('GET', item_path('contracts', uuid))

    # Marketplace: a contract's life and its money (microversion 1.1)

    def return_contract(self, uuid, nodes=None):
        """Give nodes back early (renter): ``nodes`` are node (resource)
        UUIDs, default every node still live. The changed contract."""
        body = {'nodes': list(nodes)} if nodes else None
        return self.market.request(
            'POST', item_path('contracts', uuid) + '/return', json=body)

    def extend_contract(self, uuid, end_time):
        """Move the contract's end to ``end_time`` (renter): every live
        node or none (409 naming the node that is not free)."""
        return self.market.request(
            'POST', item_path('contracts', uuid) + '/extend',
            json={'end_time': end_time})

    def revoke_contract(self, uuid, reason, nodes=None):
        """End nodes of a contract early (their owner, or the market's
        admin for any), telling the renter ``reason``."""
        body = {'reason': reason}
        if nodes:
            body['nodes'] = list(nodes)
        return self.market.request(
            'POST', item_path('contracts', uuid) + '/revoke', json=body)

    def get_contract_access(self, uuid):
        """``{"contract_uuid", "access"}``: the renter's credential for
        the nodes' cloud (a secret; renters of another cloud only)."""
        return self.market.request(
            'GET', item_path('contracts', uuid) + '/access')

    def withdraw_offer(self, uuid, reason=None):
        """Take the unsold rest of an offer off the market (its owner);
        contracts already made on it stand."""
        body = {'reason': reason} if reason else None
        return self.market.request(
            'POST', item_path('offers', uuid) + '/withdraw', json=body)

    def get_offer_availability(self, uuid):
        """The offer's window, its node's bookings and the free spans."""
        return self.market.request(
            'GET', item_path('offers', uuid) + '/availability')

    def get_statement(self, period=None, project_id=None):
        """Charges of a month (``YYYY-MM``, default this one) per
        contract and party; a system reader may name any project. From
        microversion 1.4 (:data:`STATEMENT_DAYS`) also ``days``: per UTC
        day with charges, its ``date`` and what was ``paid``,
        ``refunds``, ``fees`` and ``earned`` (and, in a system reader's
        statement of every organization, ``surplus`` and
        ``operator_fees``), as decimal strings."""
        return self.market.request('GET', '/v1/statements', params={
            'period': period, 'project_id': project_id})

    def get_reliability(self, owner_project_id=None):
        """Per owner: contracts had and contracts with revoked nodes."""
        return self.market.request('GET', '/v1/reliability', params={
            'owner_project_id': owner_project_id})['owners']

    # Marketplace: clouds and organizations (the exchange between clouds)

    def list_clouds(self):
        return self.market.request('GET', '/v1/clouds')['clouds']

    def get_cloud(self, name):
        return self.market.request('GET', item_path('clouds', name))

    def create_cloud(self, cloud):
        """``cloud``: name, keystone_url, and optionally description,
        site and endpoints (service type -> URL). Market admin only."""
        return self.market.request('POST', '/v1/clouds', json=cloud)

    def delete_cloud(self, name):
        return self.market.request('DELETE', item_path('clouds', name))

    def list_organizations(self):
        """Every organization (market readers), else the caller's own."""
        return self.market.request(
            'GET', '/v1/organizations')['organizations']

    def get_organization(self, uuid):
        return self.market.request('GET', item_path('organizations', uuid))

    def create_organization(self, name, description=None):
        body = {'name': name}
        if description is not None:
            body['description'] = description
        return self.market.request('POST', '/v1/organizations', json=body)

    def delete_organization(self, uuid):
        return self.market.request('DELETE', item_path('organizations', uuid))

    def add_organization_project(self, uuid, cloud, project_id):
        """Make ``cloud``'s project take part as the organization (that
        cloud's system admin, or the market's). The organization."""
        return self.market.request(
            'POST', item_path('organizations', uuid) + '/projects',
            json={'cloud': cloud, 'project_id': project_id})

    def remove_organization_project(self, uuid, cloud, project_id):
        path = (item_path('organizations', uuid) + '/projects/' +
                parse.quote(str(cloud), safe='') + '/' +
                parse.quote(str(project_id), safe=''))
        return self.market.request('DELETE', path)

    def list_events(self, since=0, object_uuid=None, limit=None):
        """Events after the one numbered ``since``, oldest first.

        The feed has no next link: pages are read until a short one, or
        only ``limit`` events when it is given.
        """
        page_size = limit or EVENT_PAGE
        while True:
            page = self.market.request('GET', '/v1/events', params={
                'since': since, 'object_uuid': object_uuid,
                'limit': page_size})['events']
            yield from page
            if limit is not None or len(page) < page_size:
                return
            since = page[-1]['id']

    # Auction

    def get_auction_status(self):
        return self.auction.request('GET', '/v1/status')

    def get_mechanism(self):
        return self.auction.request('GET', '/v1/mechanism')

    def list_rounds(self, limit=None, marker=None):
        return self.auction.list('/v1/rounds', 'rounds',
                                 {'limit': limit, 'marker': marker})

    def get_round(self, round_id):
        return self.auction.request('GET', item_path('rounds', round_id))

    def start_round(self):
        return self.auction.request('POST', '/v1/rounds')

    def get_prices(self, resource_class=None, since=None):
        """``{"prices": [...], "depth": [...]}``: aggregates only."""
        return self.auction.request('GET', '/v1/prices', params={
            'resource_class': resource_class, 'since': since})

    # Provider (the user's own cloud): offers of its Ironic nodes, and
    # leases to child projects

    def list_nodes(self):
        """The Ironic nodes the caller's project owns, each with the
        hardware an offer of it carries and whether it can be offered."""
        return self.provider.request('GET', '/v1/nodes')['nodes']

    def create_offer(self, node, start_time, end_time, price):
        """Offer a node of the caller's project; the offer keeps its uuid on
        the market."""
        return self.provider.request('POST', '/v1/offers', json={
            'node': node, 'start_time': start_time, 'end_time': end_time,
            'price': price})

    def list_provider_offers(self, **filters):
        """Filters: status, project_id, node_uuid, starts_after,
        starts_before, ends_after, ends_before, limit, marker, sort_key,
        sort_dir."""
        return self.provider.list('/v1/offers', 'offers', filters)

    def get_provider_offer(self, uuid):
        return self.provider.request('GET', item_path('offers', uuid))

    def cancel_provider_offer(self, uuid):
        return self.provider.request('DELETE', item_path('offers', uuid))

    def list_leases(self, **filters):
        """Filters: status, project_id, lessee_project_id, node_uuid,
        starts_after, starts_before, ends_after, ends_before, limit, marker,
        sort_key, sort_dir."""
        return self.provider.list('/v1/leases', 'leases', filters)

    def create_lease(self, lease):
        return self.provider.request('POST', '/v1/leases', json=lease)

    def get_lease(self, uuid):
        return self.provider.request('GET', item_path('leases', uuid))

    def cancel_lease(self, uuid):
        return self.provider.request('DELETE', item_path('leases', uuid))
