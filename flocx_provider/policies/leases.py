from flocx_common import policy as p
from flocx_common.policy import rule

# Lending a node inside an organization is its managers' decision, as in
# Ironic, where a project's admin or manager sets a node's lessee: the
# project admin acts here for its own organization only.
ORG_MANAGER = p.any_of(p.PROJECT_ADMIN, p.PROJECT_MANAGER)
LEGACY_ORG_MANAGER = ('(role:admin or role:manager) and '
                      'project_id:%(project_id)s')
# The owner and the project a node is lent to.
OWNER_OR_LESSEE_READER = ('role:reader and (project_id:%(project_id)s or '
                          'project_id:%(lessee_project_id)s)')

rules = [
    rule('flocx:provider:lease:create', ORG_MANAGER,
         'Lend a node the caller\'s project owns to one of its child '
         'projects for a time. Ironic ownership and the Keystone parent '
         'are checked besides this rule.',
         [('POST', '/v1/leases')], scope_types=p.PROJECT),
    rule('flocx:provider:lease:get',
         p.any_of(p.SYSTEM_READER, OWNER_OR_LESSEE_READER),
         'Show a lease to the owner project, the project it lends to and '
         'system readers.',
         [('GET', '/v1/leases/{lease_uuid}')],
         deprecated_check_str=(f'{OWNER_OR_LESSEE_READER} or '
                               f'{p.LEGACY_SERVICE} or {p.LEGACY_ADMIN}')),
    rule('flocx:provider:lease:list', p.SYSTEM_OR_PROJECT_READER,
         'List the leases the caller\'s project gives or receives (every '
         'lease for a system reader: rule flocx:admin_reader).',
         [('GET', '/v1/leases')],
         deprecated_check_str=f'{p.LEGACY_ANY_READER} or {p.LEGACY_SERVICE}'),
    rule('flocx:provider:lease:cancel',
         p.any_of(p.SYSTEM_ADMIN, ORG_MANAGER),
         'End a lease: a scheduled one never starts, an active one ends '
         'now and the node is reclaimed. The owner project\'s admins and '
         'managers, a system admin.',
         [('DELETE', '/v1/leases/{lease_uuid}')],
         deprecated_check_str=f'{LEGACY_ORG_MANAGER} or {p.LEGACY_ADMIN}'),
]
