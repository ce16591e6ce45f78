"""/v1/nodes: the Ironic nodes an owner could offer, with their hardware."""

import pecan
from pecan import rest

from flocx_common.api import errors
from flocx_common.api import helpers


class NodesController(rest.RestController):

    @pecan.expose('json')
    def get_all(self, **params):
        ctx = pecan.request.context
        ctx.can('flocx:provider:node:list', {'project_id': ctx.project_id})
        helpers.check_params(params, ())
        if not ctx.project_id:
            raise errors.BadRequest('Nodes are listed for the project that '
                                    'owns them: use a project-scoped token.')
        return {'nodes': pecan.request.services.provider.list_nodes(
            ctx.project_id)}
