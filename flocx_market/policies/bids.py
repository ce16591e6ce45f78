from flocx_common import policy as p
from flocx_common.policy import rule

rules = [
    rule('flocx:bid:create', p.PROJECT_MEMBER,
         'Bid for nodes on behalf of the caller\'s project.',
         [('POST', '/v1/bids')], scope_types=p.PROJECT,
         deprecated_check_str=p.LEGACY_ANY_MEMBER),
    rule('flocx:bid:get', p.SYSTEM_OR_PROJECT_READER,
         'Show a bid. Bids are sealed: only the bidder\'s project and '
         'system readers see them (others get 404).',
         [('GET', '/v1/bids/{bid_uuid}')],
         deprecated_check_str=(f'{p.LEGACY_PROJECT_READER} or '
                               f'{p.LEGACY_SERVICE} or {p.LEGACY_ADMIN}')),
    rule('flocx:bid:list', p.SYSTEM_OR_PROJECT_READER,
         'List the caller\'s project\'s bids.',
         [('GET', '/v1/bids')],
         deprecated_check_str=f'{p.LEGACY_ANY_READER} or {p.LEGACY_SERVICE}'),
    rule('flocx:bid:list_all', p.SYSTEM_READER,
         'See every project\'s bids, with their prices. No service reads '
         'bids through the API (the engine reads the order book over RPC).',
         [('GET', '/v1/bids')],
         deprecated_check_str=f'{p.LEGACY_ADMIN} or {p.LEGACY_SERVICE}'),
    rule('flocx:bid:cancel', p.SYSTEM_ADMIN_OR_PROJECT_MEMBER,
         'Cancel an open bid: the bidder project\'s members, a system admin '
         '(recorded as "cancelled by an admin").',
         [('DELETE', '/v1/bids/{bid_uuid}')],
         deprecated_check_str=(f'{p.LEGACY_PROJECT_MEMBER} or '
                               f'{p.LEGACY_ADMIN}')),
]
