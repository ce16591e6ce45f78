"""Rules of a contract's life and its money (microversion 1.1).

Written in the secure-RBAC style (personas as Ironic and Nova name them):
the renter's or owner's own members act on their business; a market
administrator is a system-scoped admin, a market-wide reader a
system-scoped reader. A project's own admin is not the market's admin.
"""

from flocx_common.policy import rule

PROJECT_MEMBER = 'role:member and project_id:%(project_id)s'
PROJECT_READER = 'role:reader and project_id:%(project_id)s'
SYSTEM_ADMIN = 'role:admin and system_scope:all'
SYSTEM_READER = 'role:reader and system_scope:all'
SERVICE = 'role:service'

rules = [
    rule('flocx:contract:return', PROJECT_MEMBER,
         'Return a scheduled or active contract early, all its nodes or '
         'some: a member of the renter\'s project.',
         [('POST', '/v1/contracts/{contract_uuid}/return')]),
    rule('flocx:contract:extend', PROJECT_MEMBER,
         'Ask for more time on a contract\'s nodes: a member of the '
         'renter\'s project.',
         [('POST', '/v1/contracts/{contract_uuid}/extend')]),
    rule('flocx:contract:revoke', f'({PROJECT_MEMBER}) or ({SYSTEM_ADMIN})',
         'End a contract with a reason: a member of a project that owns '
         'nodes in it (its own nodes), or a market administrator (all).',
         [('POST', '/v1/contracts/{contract_uuid}/revoke')]),
    rule('flocx:offer:withdraw',
         f'({PROJECT_MEMBER}) or ({SYSTEM_ADMIN}) or {SERVICE}',
         'Withdraw the unsold rest of an offer (contracts stand): its '
         'owner\'s members, its provider, a market administrator.',
         [('POST', '/v1/offers/{offer_uuid}/withdraw')]),
    rule('flocx:offer:availability',
         f'({PROJECT_READER}) or ({SYSTEM_READER}) or {SERVICE}',
         'See what of an offer\'s node is booked when, and what is free: '
         'its owner, market readers, providers.',
         [('GET', '/v1/offers/{offer_uuid}/availability')]),
    rule('flocx:statement:get', f'({PROJECT_READER}) or ({SYSTEM_READER})',
         'Read an organization\'s statement for a period: its own readers, '
         'market readers.',
         [('GET', '/v1/statements')]),
    rule('flocx:statement:all', SYSTEM_READER,
         'Read every organization\'s statement and the operator\'s surplus '
         'and fees.',
         [('GET', '/v1/statements')]),
    rule('flocx:reliability:get',
         f'({PROJECT_READER}) or ({SYSTEM_READER}) or {SERVICE}',
         'How many contracts each owner had, and in how many it revoked '
         'nodes: the market\'s reliability record, public to every reader.',
         [('GET', '/v1/reliability')]),
]
