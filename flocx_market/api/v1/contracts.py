"""/v1/contracts: written by the auction engine, read by their parties."""

import pecan
from pecan import rest

from flocx_common.api import errors
from flocx_common.api import helpers
from flocx_common.api import pagination
from flocx_common.api import validation as v
from flocx_common import context
from flocx_market.api import versions
from flocx_market.api.v1 import lifecycle
from flocx_market.db import api as db_api

FILTERS = ('status', 'bid_uuid', 'project_id', 'provider')
TIME_FILTERS = ('starts_after', 'starts_before', 'ends_after', 'ends_before')


def sealed_view(contract, viewer):
    """A contract as project ``viewer`` may see it (None: an admin reader).

    A contract has two prices: ``price`` and ``cost``, what the renter pays,
    and each node's ``price``, what that node's owner receives. The renter
    sees its own price but not what the owners receive; an owner sees what
    it receives for its own nodes only, never the renter's price (from which,
    with its own ask, it could work out the renter's bid) nor the other
    owners' nodes. Admin readers see everything.
    """
    if viewer is None:
        return contract
    shown = dict(contract)
    if viewer == contract['project_id']:
        shown['nodes'] = [{k: v for k, v in n.items() if k != 'price'}
                          for n in contract['nodes']]
        return shown
    for key in ('price', 'cost', 'bid_uuid'):
        shown.pop(key, None)
    mine = [n for n in contract['nodes'] if n['owner_project_id'] == viewer]
    shown['nodes'] = mine
    shown['offer_uuids'] = [n['offer_uuid'] for n in mine]
    shown['resource_uuids'] = [n['resource_uuid'] for n in mine]
    shown['owner_project_ids'] = [viewer] if mine else []
    return shown


def provider_view(contract, cloud, home_cloud):
    """A contract as member cloud ``cloud``'s provider sees it.

    The nodes of its cloud, which it carries out, and no price; project
    ids as its own Keystone knows them: its cloud's projects bare, the
    market's home cloud's as ``HOME:ID`` (another cloud's, like every
    other cloud's).
    """
    def local(project_id):
        own_cloud, own_id = context.cloud_project(project_id)
        if own_cloud is None:
            return context.qualified_project(home_cloud, project_id)
        return own_id if own_cloud == cloud else project_id

    mine = [dict({k: v for k, v in n.items() if k != 'price'},
                 owner_project_id=local(n['owner_project_id']))
            for n in contract['nodes'] if n.get('cloud') == cloud]
    shown = {k: v for k, v in contract.items()
             if k not in ('price', 'cost', 'bid_uuid')}
    shown.update(project_id=local(contract['project_id']), nodes=mine,
                 offer_uuids=[n['offer_uuid'] for n in mine],
                 resource_uuids=[n['resource_uuid'] for n in mine],
                 owner_project_ids=sorted({n['owner_project_id']
                                           for n in mine}))
    return shown


def cloud_of_provider(ctx):
    """The member cloud whose provider is calling, else None."""
    if ctx.allowed('flocx:contract:list_cloud', {'cloud': ctx.cloud}):
        return ctx.cloud
    return None


def _shown(ctx, contract, viewer):
    cloud = cloud_of_provider(ctx)
    if cloud is not None:
        return provider_view(contract, cloud,
                             pecan.request.services.market.home_cloud)
    return sealed_view(contract, viewer)


REPORT_VERSION_WHAT = 'Reports of a contract\'s provider'
STATUS_SCHEMA = {
    'type': 'object', 'additionalProperties': False, 'required': ['status'],
    'properties': {
        'status': {'enum': ['active', 'completed', 'failed', 'cancelled']},
        'reason': {'type': ['string', 'null'], 'maxLength': 255},
    },
}
DELIVERY_SCHEMA = {
    'type': 'object', 'additionalProperties': False,
    'required': ['resource_uuid'],
    'anyOf': [{'required': ['lent_at']}, {'required': ['reclaimed_at']}],
    'properties': {
        'resource_uuid': v.UUID,
        'lent_at': {'anyOf': [v.TIME, {'type': 'null'}]},
        'reclaimed_at': {'anyOf': [v.TIME, {'type': 'null'}]},
    },
}
ACCESS_SCHEMA = {
    'type': 'object', 'additionalProperties': False, 'required': ['access'],
    'properties': {'access': {'type': 'object', 'maxProperties': 32}},
}


def _report(uuid, rule, schema, resource_uuid_key=None):
    """A provider's report: its microversion, its rule, its body, and the
    market's check that the contract has a node of the caller's."""
    request = pecan.request
    versions.require(request, versions.PROVIDER_REPORTS,
                     REPORT_VERSION_WHAT)
    ctx = request.context
    ctx.can(rule, {'cloud': ctx.cloud})
    body = v.validate(v.parse_json_body(request), schema)
    request.services.market.check_reporter(
        ctx, uuid, resource_uuid=body.get(resource_uuid_key)
        if resource_uuid_key else None)
    return ctx, body


class AccessController(rest.RestController):
    """/v1/contracts/{uuid}/access: the renter's way into the nodes' cloud.

    A renter whose organization lives in another cloud gets a credential of
    the nodes' cloud, made by that cloud's provider for this contract and
    expiring with it. It is a secret: shown to the renter's project alone
    (not the owners, not the market's readers), never in events or logs.
    """

    @pecan.expose('json')
    def get_all(self, uuid):
        ctx = pecan.request.context
        db = pecan.request.services.db
        contract = db.get_contract(uuid)
        if contract is None or contract['project_id'] != ctx.project_id:
            raise errors.NotFound(f'Contract {uuid} not found.')
        ctx.can('flocx:contract:access', {'project_id': ctx.project_id})
        access = db.get_contract_access(uuid)
        if access is None:
            raise errors.NotFound(
                f'Contract {uuid} has no access to show: its renter is of '
                'the nodes\' own cloud, or the provider has not made it '
                'yet, or the contract is over.',
                code='flocx.no_contract_access')
        return {'contract_uuid': uuid, 'access': access}

    @pecan.expose('json')
    def put(self, uuid):
        """The provider of the nodes' cloud hands the renter its
        credential (microversion 1.3)."""
        ctx, body = _report(uuid, 'flocx:contract:set_access',
                            ACCESS_SCHEMA)
        return pecan.request.services.market.set_contract_access(
            ctx, uuid, body['access'])


class StatusController(rest.RestController):
    """/v1/contracts/{uuid}/status: its provider reports a contract active,
    completed or failed (microversion 1.3)."""

    @pecan.expose('json')
    def put(self, uuid):
        ctx, body = _report(uuid, 'flocx:contract:update_status',
                            STATUS_SCHEMA)
        contract = pecan.request.services.market.update_contract(
            ctx, uuid, body['status'], body.get('reason'))
        return _shown(ctx, contract, None)


class ContractsController(rest.RestController):
    _custom_actions = {'return': ['POST'], 'extend': ['POST'],
                       'revoke': ['POST'], 'deliveries': ['POST']}
    access = AccessController()
    status = StatusController()

    @pecan.expose('json')
    def get_all(self, **params):
        ctx = pecan.request.context
        ctx.can('flocx:contract:list', {'cloud': ctx.cloud})
        helpers.check_params(params, FILTERS + TIME_FILTERS + (
            'limit', 'marker', 'sort_key', 'sort_dir'))
        helpers.choice_param(params, 'status', db_api.CONTRACT_STATUSES)
        limit, marker, sort_key, sort_dir = pagination.page_params(
            params, pecan.request.services.conf, db_api.SORT_KEYS)
        filters = {k: params[k] for k in FILTERS if params.get(k)}
        filters.update(helpers.time_params(params, TIME_FILTERS))
        cloud = cloud_of_provider(ctx)
        if cloud is not None:
            # A member cloud's provider: the contracts on its nodes.
            viewer, filters['cloud'] = None, cloud
            if sort_key == 'price':
                raise errors.BadRequest(
                    'A provider\'s view of contracts has no price to sort '
                    'by.', pointer='sort_key')
        else:
            viewer = helpers.visible_project(ctx, 'flocx:contract:list_all')
        if sort_key == 'price' and viewer is not None:
            # Ordered by the renter's price, an owner's contracts would rank
            # the bids of its renters: sorted by price, a project sees the
            # contracts it rents only.
            filters['project_id'] = viewer
        items = pecan.request.services.db.list_contracts(
            filters, viewer, limit, marker, sort_key, sort_dir)
        return helpers.page(pecan.request, 'contracts',
                            [_shown(ctx, c, viewer) for c in items], limit)

    @pecan.expose('json')
    def get_one(self, uuid):
        ctx = pecan.request.context
        ctx.can('flocx:contract:get', {'cloud': ctx.cloud})
        contract = pecan.request.services.db.get_contract(uuid)
        cloud = cloud_of_provider(ctx)
        if cloud is not None:
            if contract is None or not any(
                    n.get('cloud') == cloud for n in contract['nodes']):
                raise errors.NotFound(f'Contract {uuid} not found.')
            return _shown(ctx, contract, None)
        viewer = helpers.visible_project(ctx, 'flocx:contract:list_all')
        if contract is None or viewer not in (
                None, contract['project_id'],
                *contract['owner_project_ids']):
            raise errors.NotFound(f'Contract {uuid} not found.')
        return sealed_view(contract, viewer)

    # A contract's life (microversion 1.1): see api/v1/lifecycle.py.

    @pecan.expose('json')
    def post_return(self, uuid):
        return _sealed(lifecycle.return_contract(uuid))

    @pecan.expose('json')
    def post_extend(self, uuid):
        return _sealed(lifecycle.extend_contract(uuid))

    @pecan.expose('json')
    def post_revoke(self, uuid):
        return _sealed(lifecycle.revoke_contract(uuid))

    # A provider's reports (microversion 1.3): what the market's own
    # providers say over the bus (market RPC API), for member clouds'.

    @pecan.expose('json')
    def post_deliveries(self, uuid):
        ctx, body = _report(uuid, 'flocx:contract:report_delivery',
                            DELIVERY_SCHEMA, resource_uuid_key='resource_uuid')
        contract = pecan.request.services.market.record_delivery(
            ctx, uuid, body['resource_uuid'], lent_at=body.get('lent_at'),
            reclaimed_at=body.get('reclaimed_at'))
        return _shown(ctx, contract, None)


def _sealed(contract):
    """A changed contract as its caller may see it (see sealed_view)."""
    ctx = pecan.request.context
    return sealed_view(
        contract, helpers.visible_project(ctx, 'flocx:contract:list_all'))
