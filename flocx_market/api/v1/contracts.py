"""/v1/contracts: written by the auction engine, read by their parties."""

import pecan
from pecan import rest

from flocx_common.api import errors
from flocx_common.api import helpers
from flocx_common.api import pagination
from flocx_market.api.v1 import lifecycle
from flocx_market.db import api as db_api

FILTERS = ('status', 'bid_uuid', 'project_id')
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


class ContractsController(rest.RestController):
    _custom_actions = {'return': ['POST'], 'extend': ['POST'],
                       'revoke': ['POST']}
    access = AccessController()

    @pecan.expose('json')
    def get_all(self, **params):
        ctx = pecan.request.context
        ctx.can('flocx:contract:list')
        helpers.check_params(params, FILTERS + TIME_FILTERS + (
            'limit', 'marker', 'sort_key', 'sort_dir'))
        helpers.choice_param(params, 'status', db_api.CONTRACT_STATUSES)
        limit, marker, sort_key, sort_dir = pagination.page_params(
            params, pecan.request.services.conf, db_api.SORT_KEYS)
        filters = {k: params[k] for k in FILTERS if params.get(k)}
        filters.update(helpers.time_params(params, TIME_FILTERS))
        viewer = helpers.visible_project(ctx, 'flocx:contract:list_all')
        if sort_key == 'price' and viewer is not None:
            # Ordered by the renter's price, an owner's contracts would rank
            # the bids of its renters: sorted by price, a project sees the
            # contracts it rents only.
            filters['project_id'] = viewer
        items = pecan.request.services.db.list_contracts(
            filters, viewer, limit, marker, sort_key, sort_dir)
        return helpers.page(pecan.request, 'contracts',
                            [sealed_view(c, viewer) for c in items], limit)

    @pecan.expose('json')
    def get_one(self, uuid):
        ctx = pecan.request.context
        ctx.can('flocx:contract:get')
        contract = pecan.request.services.db.get_contract(uuid)
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


def _sealed(contract):
    """A changed contract as its caller may see it (see sealed_view)."""
    ctx = pecan.request.context
    return sealed_view(
        contract, helpers.visible_project(ctx, 'flocx:contract:list_all'))
