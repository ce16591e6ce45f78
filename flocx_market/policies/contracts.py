from flocx_common import policy as p
from flocx_common.policy import rule

READ = p.any_of(p.SYSTEM_READER, p.PROJECT_READER, p.SERVICE)
LEGACY_READ = f'{p.LEGACY_ANY_READER} or {p.LEGACY_SERVICE}'

rules = [
    rule('flocx:contract:get', READ,
         'Show a contract: to its renter, its owners, system readers and '
         'services (others get 404).',
         [('GET', '/v1/contracts/{contract_uuid}')],
         deprecated_check_str=LEGACY_READ),
    rule('flocx:contract:list', READ,
         'List the contracts that concern the caller\'s project.',
         [('GET', '/v1/contracts')],
         deprecated_check_str=LEGACY_READ),
    rule('flocx:contract:list_all', p.SYSTEM_READER_OR_SERVICE,
         'See every project\'s contracts, in lists and one by one '
         '(providers carry contracts out).',
         [('GET', '/v1/contracts'),
          ('GET', '/v1/contracts/{contract_uuid}')],
         deprecated_check_str=f'{p.LEGACY_ADMIN} or {p.LEGACY_SERVICE}'),
    rule('flocx:contract:access', p.PROJECT_READER,
         'Show a renter of another cloud its credential for the nodes\' '
         'cloud: the renter\'s own project only, never an admin.',
         [('GET', '/v1/contracts/{contract_uuid}/access')],
         scope_types=['project']),
]
