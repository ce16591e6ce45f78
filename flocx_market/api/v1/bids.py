"""/v1/bids: what renters ask for. Sealed: a project sees only its own."""

from oslo_utils import timeutils
import pecan
from pecan import rest

from flocx_common.api import errors
from flocx_common.api import helpers
from flocx_common.api import pagination
from flocx_common.api import validation as v
from flocx_common import hardware
from flocx_market.api import versions
from flocx_market.api.v1 import orders
from flocx_market.api.v1 import parties
from flocx_market.db import api as db_api

CONSTRAINT = {
    'type': 'object',
    'additionalProperties': False,
    'required': ['property', 'op', 'value'],
    'properties': {
        'property': {'type': 'string',
                     'pattern': r'^[A-Za-z0-9_.:-]{1,64}\Z'},
        'op': {'enum': sorted(hardware.OPS)},
        'value': {'oneOf': [
            {'type': 'string', 'maxLength': 255},
            {'type': 'number', 'minimum': -1e15, 'maximum': 1e15},
            {'type': 'boolean'},
            {'type': 'array', 'maxItems': 64, 'items': {
                'type': ['string', 'number'], 'maxLength': 255}},
        ]},
    },
}

CREATE_SCHEMA = {
    'type': 'object',
    'additionalProperties': False,
    'required': ['quantity', 'start_time', 'duration', 'price'],
    'properties': {
        'quantity': {'type': 'integer', 'minimum': 1},
        'resource_class': v.NAME,
        'constraints': {'type': 'array', 'maxItems': 32,
                        'items': CONSTRAINT},
        'start_time': v.TIME,
        'latest_start_time': v.TIME,
        'duration': {'type': 'integer', 'minimum': 60},
        'price': v.PRICE,
        'decide_by': v.TIME,
        # Microversion 1.2: may the nodes be in several clouds?
        'span_clouds': {'type': 'boolean'},
    },
}

FILTERS = ('status', 'project_id', 'resource_class')
TIME_FILTERS = ('starts_after', 'starts_before')


class BidsController(rest.RestController):

    @pecan.expose('json')
    def get_all(self, **params):
        ctx = pecan.request.context
        ctx.can('flocx:bid:list')
        helpers.check_params(params, FILTERS + TIME_FILTERS + (
            'limit', 'marker', 'sort_key', 'sort_dir'))
        helpers.choice_param(params, 'status', db_api.BID_STATUSES)
        limit, marker, sort_key, sort_dir = pagination.page_params(
            params, pecan.request.services.conf, db_api.SORT_KEYS[:-2] +
            ('price',))
        filters = {k: params[k] for k in FILTERS if params.get(k)}
        filters.update(helpers.time_params(params, TIME_FILTERS))
        items = pecan.request.services.db.list_bids(
            filters, parties.visible_parties(ctx, 'flocx:bid:list_all'),
            limit, marker, sort_key, sort_dir)
        return helpers.page(pecan.request, 'bids', items, limit)

    @pecan.expose('json')
    def get_one(self, uuid):
        return _visible_bid(pecan.request.context, uuid)

    @pecan.expose('json')
    def post(self):
        ctx = pecan.request.context
        ctx.can('flocx:bid:create')
        if not ctx.project_id:
            raise errors.BadRequest('Bids are made by projects: use a '
                                    'project-scoped token.')
        body = v.validate(v.parse_json_body(pecan.request), CREATE_SCHEMA)
        if 'span_clouds' in body and \
                pecan.request.version < versions.SPAN_CLOUDS:
            raise errors.BadRequest(
                'span_clouds needs microversion 1.2 or later (header '
                'OpenStack-API-Version: marketplace 1.2).',
                pointer='/span_clouds')
        values = _check_bid(pecan.request.services.conf, body)
        values['project_id'] = ctx.project_id
        bid = pecan.request.services.market.create_bid(ctx, values)
        return helpers.created(bid['uuid'], bid)

    @pecan.expose('json')
    def delete(self, uuid=None):
        if uuid is None:
            raise errors.MethodNotAllowed(
                'DELETE needs a bid: /v1/bids/{uuid}.')
        ctx = pecan.request.context
        bid = _visible_bid(ctx, uuid)
        ctx.can('flocx:bid:cancel', {'project_id': bid['project_id']})
        return pecan.request.services.market.cancel_bid(
            ctx, uuid, reason=ctx.cancel_reason(bid['project_id']))


def _check_bid(conf, body):
    limits = conf.market
    if body['quantity'] > limits.max_quantity:
        raise errors.BadRequest(
            f'quantity must be at most {limits.max_quantity}.',
            pointer='/quantity')
    if body['duration'] > limits.max_window_days * 86400:
        raise errors.BadRequest(
            f'duration must be at most {limits.max_window_days} days.',
            pointer='/duration')
    orders.check_price(conf, body['price'])
    start = v.parse_time(body['start_time'], 'start_time')
    orders.check_start(conf, start, 'start_time')
    latest = start
    if body.get('latest_start_time'):
        latest = v.parse_time(body['latest_start_time'], 'latest_start_time')
        if latest < start:
            raise errors.BadRequest(
                'latest_start_time must not be before start_time.',
                pointer='/latest_start_time')
        orders.check_start(conf, latest, 'latest_start_time')
    decide_by = None
    if body.get('decide_by'):
        decide_by = v.parse_time(body['decide_by'], 'decide_by')
        if decide_by > latest:
            raise errors.BadRequest(
                'decide_by must not be after the latest start.',
                pointer='/decide_by')
        # The engine must still be able to answer: no slack here (the
        # old check let a decide_by ten minutes past through).
        if decide_by < timeutils.utcnow():
            raise errors.BadRequest('decide_by is in the past.',
                                    pointer='/decide_by')
    return {'quantity': body['quantity'],
            'resource_class': body.get('resource_class'),
            'constraints': body.get('constraints', []),
            'start_time': start, 'latest_start_time': latest,
            'duration': body['duration'], 'price': body['price'],
            'decide_by': decide_by,
            'span_clouds': body.get('span_clouds', False)}


def _visible_bid(ctx, uuid):
    bid = pecan.request.services.db.get_bid(uuid)
    if bid is not None and ctx.project_id and \
            bid['project_id'] != ctx.project_id and \
            bid['project_id'] in pecan.request.services.market.party_projects(
                ctx):
        # A bid of another project of the caller's organization is the
        # organization's: read as the caller's own (api/v1/parties.py).
        target = {'project_id': ctx.project_id}
    else:
        target = {'project_id': bid and bid['project_id']}
    # Sealed bids: whoever may not see one must not learn that it exists.
    if bid is None or not ctx.allowed('flocx:bid:get', target):
        raise errors.NotFound(f'Bid {uuid} not found.')
    return bid
