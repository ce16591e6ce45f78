"""/v1/events: what happened to a project's orders and contracts."""

import pecan
from pecan import rest

from flocx_common.api import helpers
from flocx_common.api import pagination
from flocx_market.api.v1 import parties


class EventsController(rest.RestController):

    @pecan.expose('json')
    def get_all(self, **params):
        ctx = pecan.request.context
        ctx.can('flocx:event:list')
        helpers.check_params(params, ('since', 'object_uuid', 'limit'))
        conf = pecan.request.services.conf
        limit = pagination.parse_int(params, 'limit', 1, conf.api.max_limit,
                                     conf.api.default_limit)
        since = pagination.parse_int(params, 'since', 0, 2 ** 62)
        events = pecan.request.services.db.list_events(
            parties.visible_parties(ctx, 'flocx:event:list_all'), since=since,
            object_uuid=params.get('object_uuid'), limit=limit)
        return {'events': events}
