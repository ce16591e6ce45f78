from flocx_common.policy import ADMIN, ANY_READER, SERVICE
from flocx_common.policy import rule

# Lending a node inside an organization is its managers' decision, as in
# Ironic, where a project's admin or manager sets a node's lessee.
ORG_MANAGER = '(role:admin or role:manager) and project_id:%(project_id)s'
# The owner and the project a node is lent to.
OWNER_OR_LESSEE_READER = ('role:reader and (project_id:%(project_id)s or '
                          'project_id:%(lessee_project_id)s)')

rules = [
    rule('flocx:provider:lease:create', ORG_MANAGER,
         'Lend a node the caller\'s project owns to one of its child '
         'projects for a time. Ironic ownership and the Keystone parent '
         'are checked besides this rule.',
         [('POST', '/v1/leases')]),
    rule('flocx:provider:lease:get',
         f'{OWNER_OR_LESSEE_READER} or {SERVICE} or {ADMIN}',
         'Show a lease to the owner project and the project it lends to.',
         [('GET', '/v1/leases/{lease_uuid}')]),
    rule('flocx:provider:lease:list', f'{ANY_READER} or {SERVICE}',
         'List the leases the caller\'s project gives or receives.',
         [('GET', '/v1/leases')]),
    rule('flocx:provider:lease:cancel', f'{ORG_MANAGER} or {ADMIN}',
         'End a lease: a scheduled one never starts, an active one ends '
         'now and the node is reclaimed.',
         [('DELETE', '/v1/leases/{lease_uuid}')]),
]
