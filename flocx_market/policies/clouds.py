"""Who registers clouds and decides which projects trade as which organization.

``SYSTEM_ADMIN`` is the market's own system scope: a member cloud's system
scope never reaches these checks as such (flocx_common.context keeps it as
``cloud_system_scope``), so a member cloud's admin administers memberships of
its own cloud's projects and nothing else. Seen from the market, such a
token has no system scope: the membership rules therefore accept every scope
and let the check string decide.
"""

from flocx_common import policy as p
from flocx_common.policy import rule

MARKET_ADMIN = p.SYSTEM_ADMIN
MARKET_READER = p.SYSTEM_READER
# Every authenticated party: where nodes are is part of what is sold.
ANYONE = p.any_of(p.SYSTEM_READER, p.PROJECT_READER, p.SERVICE)
# A system-scoped admin of the cloud named in the request's target.
CLOUD_ADMIN = 'role:admin and cloud_system_scope:all and cloud:%(cloud)s'

rules = [
    rule('flocx:cloud:list', ANYONE,
         'List the clouds on the market: every authenticated party.',
         [('GET', '/v1/clouds')]),
    rule('flocx:cloud:get', ANYONE,
         'Show a cloud on the market: every authenticated party.',
         [('GET', '/v1/clouds/{cloud_name}')]),
    rule('flocx:cloud:create', MARKET_ADMIN,
         'Join a cloud to the market: the market\'s system administrators.',
         [('POST', '/v1/clouds')], scope_types=['system']),
    rule('flocx:cloud:delete', MARKET_ADMIN,
         'Remove a cloud that no organization uses any more.',
         [('DELETE', '/v1/clouds/{cloud_name}')], scope_types=['system']),
    rule('flocx:organization:list', ANYONE,
         'List organizations: system readers see all, a project the one it '
         'takes part in.',
         [('GET', '/v1/organizations')]),
    rule('flocx:organization:list_all', MARKET_READER,
         'See every organization and its projects: the market\'s system '
         'readers (others see only their own).',
         [('GET', '/v1/organizations'),
          ('GET', '/v1/organizations/{organization_uuid}')]),
    rule('flocx:organization:get', ANYONE,
         'Show an organization: system readers, and its own projects.',
         [('GET', '/v1/organizations/{organization_uuid}')]),
    rule('flocx:organization:create', MARKET_ADMIN,
         'Create an organization: the market\'s system administrators.',
         [('POST', '/v1/organizations')], scope_types=['system']),
    rule('flocx:organization:delete', MARKET_ADMIN,
         'Delete an organization.',
         [('DELETE', '/v1/organizations/{organization_uuid}')],
         scope_types=['system']),
    rule('flocx:organization:project:add',
         f'({MARKET_ADMIN}) or ({CLOUD_ADMIN})',
         'Let a project of a cloud take part as an organization: the '
         'market\'s system administrators, or that cloud\'s own.',
         [('POST', '/v1/organizations/{organization_uuid}/projects')]),
    rule('flocx:organization:project:remove',
         f'({MARKET_ADMIN}) or ({CLOUD_ADMIN})',
         'Stop a project of a cloud taking part as an organization.',
         [('DELETE', '/v1/organizations/{organization_uuid}/projects/'
                     '{cloud}/{project_id}')]),
]
