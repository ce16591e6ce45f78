from flocx_common.policy import ADMIN, ANY_MEMBER, ANY_READER
from flocx_common.policy import PROJECT_MEMBER, PROJECT_READER, SERVICE
from flocx_common.policy import rule

rules = [
    rule('flocx:bid:create', ANY_MEMBER,
         'Bid for nodes on behalf of the caller\'s project.',
         [('POST', '/v1/bids')]),
    rule('flocx:bid:get', f'{PROJECT_READER} or {SERVICE} or {ADMIN}',
         'Show a bid. Bids are sealed: only the bidder\'s project sees them.',
         [('GET', '/v1/bids/{bid_uuid}')]),
    rule('flocx:bid:list', f'{ANY_READER} or {SERVICE}',
         'List the caller\'s project\'s bids (every bid for an admin).',
         [('GET', '/v1/bids')]),
    rule('flocx:bid:cancel', f'{PROJECT_MEMBER} or {ADMIN}',
         'Cancel an open bid of the caller\'s project.',
         [('DELETE', '/v1/bids/{bid_uuid}')]),
]
