"""/v1/offers: the nodes on the market.

Offers enter the market from provider services (or an admin), which vouch
that ``project_id`` owns the node; owners cancel their own.
"""

import pecan
from pecan import rest

from flocx_common.api import errors
from flocx_common.api import helpers
from flocx_common.api import pagination
from flocx_common.api import validation as v
from flocx_market.api import versions
from flocx_market.api.v1 import lifecycle
from flocx_market.api.v1 import orders
from flocx_market.db import api as db_api

PROPERTY_VALUE = {'oneOf': [
    {'type': 'string', 'maxLength': 255},
    {'type': 'number', 'minimum': -1e15, 'maximum': 1e15},
    {'type': 'boolean'},
    {'type': 'array', 'maxItems': 128,
     'items': {'type': 'string', 'maxLength': 255}},
]}

CREATE_SCHEMA = {
    'type': 'object',
    'additionalProperties': False,
    'required': ['project_id', 'resource_uuid', 'resource_class',
                 'start_time', 'end_time', 'price'],
    'properties': {
        'project_id': v.PROJECT_ID,
        'provider': v.NAME,
        'resource_type': {'enum': ['ironic_node']},
        'resource_uuid': v.UUID,
        'resource_class': v.NAME,
        'properties': {
            'type': 'object', 'maxProperties': 64,
            'propertyNames': {'pattern': r'^[A-Za-z0-9_.:-]{1,64}\Z'},
            'properties': {
                'cpus': {'type': 'integer', 'minimum': 1, 'maximum': 1e6},
                'memory_mb': {'type': 'integer', 'minimum': 1,
                              'maximum': 1e9},
                'local_gb': {'type': 'integer', 'minimum': 0,
                             'maximum': 1e9},
                'cpu_arch': {'type': 'string', 'maxLength': 32},
                'traits': {'type': 'array', 'maxItems': 128,
                           'items': {'type': 'string', 'maxLength': 255}},
            },
            'additionalProperties': PROPERTY_VALUE,
        },
        'start_time': v.TIME,
        'end_time': v.TIME,
        'price': v.PRICE,
        # Seconds never sold after each rental (microversion 1.1 on the
        # API; default [market] cleaning_gap).
        'cleaning_gap': {'type': 'integer', 'minimum': 0,
                         'maximum': 7 * 86400},
    },
}

# Through the API (1.3): a provider may give the offer its own uuid.
API_CREATE_SCHEMA = dict(CREATE_SCHEMA, properties=dict(
    CREATE_SCHEMA['properties'], uuid=v.UUID))

FILTERS = ('status', 'project_id', 'resource_class', 'resource_uuid',
           'provider')
TIME_FILTERS = ('starts_after', 'starts_before', 'ends_after', 'ends_before')


class OffersController(rest.RestController):
    _custom_actions = {'withdraw': ['POST'], 'availability': ['GET']}

    @pecan.expose('json')
    def get_all(self, **params):
        ctx = pecan.request.context
        ctx.can('flocx:offer:list', {'cloud': ctx.cloud})
        helpers.check_params(params, FILTERS + TIME_FILTERS + (
            'limit', 'marker', 'sort_key', 'sort_dir'))
        helpers.choice_param(params, 'status', db_api.OFFER_STATUSES)
        limit, marker, sort_key, sort_dir = pagination.page_params(
            params, pecan.request.services.conf, db_api.SORT_KEYS)
        filters = {k: params[k] for k in FILTERS if params.get(k)}
        filters.update(helpers.time_params(params, TIME_FILTERS))
        if _cloud_of_provider(ctx):
            # A member cloud's provider: its cloud's offers, all of them.
            filters['cloud'], visible = ctx.cloud, None
        else:
            visible = helpers.visible_project(ctx, 'flocx:offer:list_all')
        items = pecan.request.services.db.list_offers(
            filters, visible, limit, marker, sort_key, sort_dir)
        return helpers.page(pecan.request, 'offers', items, limit)

    @pecan.expose('json')
    def get_one(self, uuid):
        ctx = pecan.request.context
        ctx.can('flocx:offer:get', {'cloud': ctx.cloud})
        return _visible_offer(ctx, uuid)

    @pecan.expose('json')
    def post(self):
        ctx = pecan.request.context
        ctx.can('flocx:offer:create', {'cloud': ctx.cloud})
        body = v.validate(v.parse_json_body(pecan.request), API_CREATE_SCHEMA)
        for key, version in (('cleaning_gap', versions.LIFECYCLE),
                             ('uuid', versions.PROVIDER_REPORTS)):
            if key in body and pecan.request.version < version:
                raise errors.BadRequest(
                    f'{key} needs microversion {version} or later.',
                    pointer=f'/{key}')
        uuid = body.pop('uuid', None)
        values = offer_values(pecan.request.services.conf, body)
        if uuid:
            # The provider's own uuid for it: one identity everywhere.
            values['uuid'] = uuid
        offer = pecan.request.services.market.create_offer(ctx, values)
        return helpers.created(offer['uuid'], offer)

    @pecan.expose('json')
    def delete(self, uuid=None):
        if uuid is None:
            raise errors.MethodNotAllowed(
                'DELETE needs a offer: /v1/offers/{uuid}.')
        ctx = pecan.request.context
        offer = _visible_offer(ctx, uuid)
        ctx.can('flocx:offer:cancel', {'project_id': offer['project_id'],
                                       'cloud': offer['cloud']})
        return pecan.request.services.market.cancel_offer(
            ctx, uuid, reason=ctx.cancel_reason(offer['project_id']))


    # Microversion 1.1: see api/v1/lifecycle.py.

    @pecan.expose('json')
    def post_withdraw(self, uuid):
        return lifecycle.withdraw_offer(
            _visible_offer(pecan.request.context, uuid))

    @pecan.expose('json')
    def get_availability(self, uuid):
        return lifecycle.offer_availability(
            _visible_offer(pecan.request.context, uuid))


def offer_values(conf, body):
    """What the database stores for a validated offer (API and RPC)."""
    orders.check_price(conf, body['price'])
    values = dict(body, resource_type=body.get('resource_type',
                                               'ironic_node'),
                  properties=body.get('properties', {}),
                  # One node, one spelling: the overlap check and the
                  # booking lock compare node uuids as strings.
                  resource_uuid=body['resource_uuid'].lower())
    values.update(orders.check_window(conf, body['start_time'],
                                      body['end_time']))
    return values


def _cloud_of_provider(ctx):
    """Whether a member cloud's provider is calling."""
    return ctx.allowed('flocx:offer:list_cloud', {'cloud': ctx.cloud})


def _visible_offer(ctx, uuid):
    offer = pecan.request.services.db.get_offer(uuid)
    if offer is not None and _cloud_of_provider(ctx):
        visible = offer['status'] == 'open' or offer['cloud'] == ctx.cloud
    else:
        visible = offer is not None and (
            offer['status'] == 'open' or helpers.visible_project(
                ctx, 'flocx:offer:list_all') in (None, offer['project_id']))
    if not visible:
        raise errors.NotFound(f'Offer {uuid} not found.')
    return offer
