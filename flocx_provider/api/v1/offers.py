"""/v1/offers: an owner puts one of its Ironic nodes on the market."""

import pecan
from pecan import rest

from flocx_common.api import errors
from flocx_common.api import helpers
from flocx_common.api import pagination
from flocx_common.api import validation as v
from flocx_provider.api.v1 import windows
from flocx_provider.db import api as db_api

CREATE_SCHEMA = {
    'type': 'object',
    'additionalProperties': False,
    'required': ['node', 'start_time', 'end_time', 'price'],
    'properties': {
        'node': windows.NODE,
        'start_time': v.TIME,
        'end_time': v.TIME,
        'price': v.PRICE,
    },
}

FILTERS = ('status', 'project_id', 'node_uuid')
TIME_FILTERS = ('starts_after', 'starts_before', 'ends_after', 'ends_before')


class OffersController(rest.RestController):

    @pecan.expose('json')
    def get_all(self, **params):
        ctx = pecan.request.context
        ctx.can('flocx:provider:offer:list')
        helpers.check_params(params, FILTERS + TIME_FILTERS + (
            'limit', 'marker', 'sort_key', 'sort_dir'))
        helpers.choice_param(params, 'status', db_api.OFFER_STATUSES)
        limit, marker, sort_key, sort_dir = pagination.page_params(
            params, pecan.request.services.conf, db_api.SORT_KEYS)
        filters = {k: params[k] for k in FILTERS if params.get(k)}
        filters.update(helpers.time_params(params, TIME_FILTERS))
        items = pecan.request.services.db.list_offers(
            filters, helpers.visible_project(ctx), limit, marker, sort_key,
            sort_dir)
        return helpers.page(pecan.request, 'offers', items, limit)

    @pecan.expose('json')
    def get_one(self, uuid):
        return _visible_offer(pecan.request.context, uuid)

    @pecan.expose('json')
    def post(self):
        ctx = pecan.request.context
        ctx.can('flocx:provider:offer:create')
        if not ctx.project_id:
            raise errors.BadRequest('Offers are made by the project that '
                                    'owns the node: use a project-scoped '
                                    'token.')
        body = v.validate(v.parse_json_body(pecan.request), CREATE_SCHEMA)
        services = pecan.request.services
        start, end = windows.check_window(services.conf, body)
        offer = services.provider.create_offer(
            ctx, ctx.project_id, body['node'], start, end, body['price'])
        return helpers.created(offer['uuid'], offer)

    @pecan.expose('json')
    def delete(self, uuid):
        ctx = pecan.request.context
        offer = _visible_offer(ctx, uuid)
        ctx.can('flocx:provider:offer:cancel',
                {'project_id': offer['project_id']})
        return pecan.request.services.provider.cancel_offer(
            ctx, offer, reason=ctx.cancel_reason(offer['project_id']))


def _visible_offer(ctx, uuid):
    offer = pecan.request.services.db.get_offer(uuid)
    if offer is None or not ctx.allowed('flocx:provider:offer:get',
                                        {'project_id': offer['project_id']}):
        raise errors.NotFound(f'Offer {uuid} not found.')
    return offer
