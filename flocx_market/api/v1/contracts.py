"""/v1/contracts: written by the auction engine, read by their parties."""

import pecan
from pecan import rest

from flocx_common.api import errors
from flocx_common.api import helpers
from flocx_common.api import pagination
from flocx_market.db import api as db_api

FILTERS = ('status', 'bid_uuid', 'project_id')
TIME_FILTERS = ('starts_after', 'starts_before', 'ends_after', 'ends_before')


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
        items = pecan.request.services.db.list_contracts(
            filters, helpers.visible_project(ctx, 'flocx:contract:list_all'),
            limit, marker, sort_key, sort_dir)
        return helpers.page(pecan.request, 'contracts', items, limit)

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
        return contract
