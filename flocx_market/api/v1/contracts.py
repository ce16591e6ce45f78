"""/v1/contracts: written by the auction engine, read by their parties."""

import pecan
from pecan import rest

from flocx_common.api import errors
from flocx_common.api import helpers
from flocx_common.api import pagination
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


class ContractsController(rest.RestController):

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
