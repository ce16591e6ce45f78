from flocx_common.policy import ANY_READER, SERVICE
from flocx_common.policy import rule

rules = [
    rule('flocx:contract:get', f'{ANY_READER} or {SERVICE}',
         'Show a contract: to its renter, its owners and admins (others '
         'get 404).',
         [('GET', '/v1/contracts/{contract_uuid}')]),
    rule('flocx:contract:list', f'{ANY_READER} or {SERVICE}',
         'List the contracts that concern the caller\'s project.',
         [('GET', '/v1/contracts')]),
]
