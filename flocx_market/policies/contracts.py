from flocx_common import policy as p
from flocx_common.policy import rule

READ = p.any_of(p.SYSTEM_READER, p.PROJECT_READER, p.SERVICE,
                p.CLOUD_PROVIDER)
# What a provider reports of a contract it carries out: the market's own
# providers (service role) or a member cloud's, for contracts on its
# cloud's nodes (the market checks which nodes: market.py).
REPORT = p.any_of(p.SERVICE, p.CLOUD_PROVIDER)
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
    rule('flocx:contract:list_cloud', p.CLOUD_PROVIDER,
         'A member cloud\'s provider sees the contracts on its own cloud\'s '
         'nodes, in the provider\'s view: those nodes only, no price.',
         [('GET', '/v1/contracts'),
          ('GET', '/v1/contracts/{contract_uuid}')]),
    rule('flocx:contract:update_status', REPORT,
         'A provider reports a contract active, completed or failed '
         '(microversion 1.3): only for a contract with a node of its own.',
         [('PUT', '/v1/contracts/{contract_uuid}/status')]),
    rule('flocx:contract:report_delivery', REPORT,
         'A provider reports when it lent or reclaimed a node of a '
         'contract (microversion 1.3): only for a node of its own.',
         [('POST', '/v1/contracts/{contract_uuid}/deliveries')]),
    rule('flocx:contract:set_access', REPORT,
         'A provider hands a renter of another cloud its credential for '
         'the provider\'s cloud (microversion 1.3): only for a contract '
         'with a node of its own. Shown to the renter alone.',
         [('PUT', '/v1/contracts/{contract_uuid}/access')]),
]
