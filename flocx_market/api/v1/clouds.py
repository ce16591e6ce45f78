"""/v1/clouds: the OpenStack clouds that trade on this market.

Every party may read them (where nodes are is part of what is sold); only
the market's administrators register and remove them. A cloud's secrets are
never here: see flocx_common/api/clouds.py for how its tokens are checked.
"""

import pecan
from pecan import rest

from flocx_common.api import clouds as cloud_auth
from flocx_common.api import errors
from flocx_common.api import helpers
from flocx_common.api import validation as v

URL = {'type': 'string', 'format': 'uri', 'maxLength': 255,
       'pattern': r'^https?://'}
CLOUD_NAME = {'type': 'string', 'pattern': cloud_auth.NAME_PATTERN}

CREATE_SCHEMA = {
    'type': 'object',
    'additionalProperties': False,
    'required': ['name', 'keystone_url'],
    'properties': {
        'name': CLOUD_NAME,
        'description': {'type': 'string', 'maxLength': 255},
        'keystone_url': URL,
        'site': v.NAME,
        'endpoints': {
            'type': 'object', 'maxProperties': 32,
            'propertyNames': {'pattern': r'^[a-z0-9_-]{1,64}\Z'},
            'additionalProperties': URL,
        },
    },
}


class CloudsController(rest.RestController):

    @pecan.expose('json')
    def get_all(self, **params):
        pecan.request.context.can('flocx:cloud:list')
        helpers.check_params(params, ())
        return {'clouds': pecan.request.services.db.list_clouds()}

    @pecan.expose('json')
    def get_one(self, name):
        pecan.request.context.can('flocx:cloud:get')
        cloud = pecan.request.services.db.get_cloud(name)
        if cloud is None:
            raise errors.NotFound(f'Cloud {name} not found.')
        return cloud

    @pecan.expose('json')
    def post(self):
        pecan.request.context.can('flocx:cloud:create')
        body = v.validate(v.parse_json_body(pecan.request), CREATE_SCHEMA)
        cloud = pecan.request.services.db.create_cloud(body)
        return helpers.created(cloud['name'], cloud)

    @pecan.expose('json')
    def delete(self, name=None):
        if name is None:
            raise errors.MethodNotAllowed(
                'DELETE needs a cloud: /v1/clouds/{name}.')
        pecan.request.context.can('flocx:cloud:delete')
        pecan.request.services.db.delete_cloud(name)
        pecan.response.status = 204
        # The response itself: returning None would render a JSON "null"
        # body after a 204, which a keep-alive client then reads as the
        # start of its next answer.
        return pecan.response
