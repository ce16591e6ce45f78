"""/v1/leases: an organization lends a node to one of its own projects."""

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
    'required': ['node', 'project_id', 'start_time', 'end_time'],
    'properties': {
        'node': windows.NODE,
        'project_id': v.PROJECT_ID,
        'start_time': v.TIME,
        'end_time': v.TIME,
    },
}

FILTERS = ('status', 'project_id', 'lessee_project_id', 'node_uuid')
TIME_FILTERS = ('starts_after', 'starts_before', 'ends_after', 'ends_before')


class LeasesController(rest.RestController):

    @pecan.expose('json')
    def get_all(self, **params):
        ctx = pecan.request.context
        ctx.can('flocx:provider:lease:list')
        helpers.check_params(params, FILTERS + TIME_FILTERS + (
            'limit', 'marker', 'sort_key', 'sort_dir'))
        helpers.choice_param(params, 'status', db_api.LEASE_STATUSES)
        limit, marker, sort_key, sort_dir = pagination.page_params(
            params, pecan.request.services.conf, db_api.SORT_KEYS)
        filters = {k: params[k] for k in FILTERS if params.get(k)}
        filters.update(helpers.time_params(params, TIME_FILTERS))
        items = pecan.request.services.db.list_leases(
            filters, helpers.visible_project(ctx), limit, marker, sort_key,
            sort_dir)
        return helpers.page(pecan.request, 'leases', items, limit)

    @pecan.expose('json')
    def get_one(self, uuid):
        return _visible_lease(pecan.request.context, uuid)

    @pecan.expose('json')
    def post(self):
        ctx = pecan.request.context
        ctx.can('flocx:provider:lease:create')
        if not ctx.project_id:
            raise errors.BadRequest('Leases are made by the project that '
                                    'owns the node: use a project-scoped '
                                    'token.')
        body = v.validate(v.parse_json_body(pecan.request), CREATE_SCHEMA)
        services = pecan.request.services
        start, end = windows.check_window(services.conf, body)
        lease = services.provider.create_lease(
            ctx, ctx.project_id, body['node'], body['project_id'], start,
            end)
        return helpers.created(lease['uuid'], lease)

    @pecan.expose('json')
    def delete(self, uuid):
        ctx = pecan.request.context
        lease = _visible_lease(ctx, uuid)
        ctx.can('flocx:provider:lease:cancel',
                {'project_id': lease['project_id']})
        return pecan.request.services.provider.cancel_lease(
            ctx, lease, reason=ctx.cancel_reason(lease['project_id']))


def _visible_lease(ctx, uuid):
    lease = pecan.request.services.db.get_lease(uuid)
    if lease is None or not ctx.allowed(
            'flocx:provider:lease:get',
            {'project_id': lease['project_id'],
             'lessee_project_id': lease['lessee_project_id']}):
        raise errors.NotFound(f'Lease {uuid} not found.')
    return lease
