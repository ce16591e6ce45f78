"""/v1/organizations: the parties on the market, across clouds.

An organization is known in several clouds by one project in each. The
market's administrators create organizations; which of a cloud's projects
take part, and as which organization, is that cloud's administrators'
decision (a system-scoped admin of that cloud's Keystone), or the market's.
"""

import pecan
from pecan import rest

from flocx_common.api import errors
from flocx_common.api import helpers
from flocx_common.api import validation as v
from flocx_market.api.v1 import clouds

CREATE_SCHEMA = {
    'type': 'object',
    'additionalProperties': False,
    'required': ['name'],
    'properties': {
        'name': v.NAME,
        'description': {'type': 'string', 'maxLength': 255},
    },
}

PROJECT_SCHEMA = {
    'type': 'object',
    'additionalProperties': False,
    'required': ['cloud', 'project_id'],
    'properties': {
        'cloud': clouds.CLOUD_NAME,
        'project_id': v.PROJECT_ID,
    },
}


class ProjectsController(rest.RestController):
    """/v1/organizations/{uuid}/projects[/{cloud}/{project_id}]"""

    @pecan.expose('json')
    def post(self, uuid):
        body = v.validate(v.parse_json_body(pecan.request), PROJECT_SCHEMA)
        pecan.request.context.can('flocx:organization:project:add',
                                  {'cloud': body['cloud']})
        organization = pecan.request.services.db.add_organization_project(
            uuid, body['cloud'], body['project_id'])
        pecan.response.status = 201
        return organization

    @pecan.expose('json')
    def delete(self, uuid, cloud=None, project_id=None):
        if project_id is None:
            raise errors.MethodNotAllowed(
                'DELETE needs a project: /v1/organizations/{uuid}/projects/'
                '{cloud}/{project_id}.')
        pecan.request.context.can('flocx:organization:project:remove',
                                  {'cloud': cloud})
        pecan.request.services.db.remove_organization_project(
            uuid, cloud, project_id)
        pecan.response.status = 204
        # The response itself: returning None would render a JSON "null"
        # body after a 204, which a keep-alive client then reads as the
        # start of its next answer.
        return pecan.response


class OrganizationsController(rest.RestController):
    projects = ProjectsController()

    @pecan.expose('json')
    def get_all(self, **params):
        ctx = pecan.request.context
        ctx.can('flocx:organization:list')
        helpers.check_params(params, ())
        visible = None if _sees_all(ctx) else (ctx.cloud, ctx.cloud_project_id)
        return {'organizations':
                pecan.request.services.db.list_organizations(visible)}

    @pecan.expose('json')
    def get_one(self, uuid):
        ctx = pecan.request.context
        ctx.can('flocx:organization:get')
        organization = pecan.request.services.db.get_organization(uuid)
        if organization is None or not (
                _sees_all(ctx) or
                {'cloud': ctx.cloud, 'project_id': ctx.cloud_project_id}
                in organization['projects']):
            raise errors.NotFound(f'Organization {uuid} not found.')
        return organization

    @pecan.expose('json')
    def post(self):
        pecan.request.context.can('flocx:organization:create')
        body = v.validate(v.parse_json_body(pecan.request), CREATE_SCHEMA)
        organization = pecan.request.services.db.create_organization(body)
        return helpers.created(organization['uuid'], organization)

    @pecan.expose('json')
    def delete(self, uuid=None):
        if uuid is None:
            raise errors.MethodNotAllowed(
                'DELETE needs an organization: /v1/organizations/{uuid}.')
        pecan.request.context.can('flocx:organization:delete')
        pecan.request.services.db.delete_organization(uuid)
        pecan.response.status = 204
        # The response itself: returning None would render a JSON "null"
        # body after a 204, which a keep-alive client then reads as the
        # start of its next answer.
        return pecan.response


def _sees_all(ctx):
    return ctx.allowed('flocx:organization:list_all')
