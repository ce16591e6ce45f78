from flocx_common.policy import ADMIN, ANY_READER, PROJECT_MEMBER
from flocx_common.policy import PROJECT_READER, SERVICE
from flocx_common.policy import rule

rules = [
    rule('flocx:provider:offer:create', PROJECT_MEMBER,
         'Offer a node the caller\'s project owns in Ironic on the market. '
         'Ironic ownership is checked besides this rule.',
         [('POST', '/v1/offers')]),
    rule('flocx:provider:offer:get',
         f'{PROJECT_READER} or {SERVICE} or {ADMIN}',
         'Show one of the caller\'s project\'s offers (others get 404).',
         [('GET', '/v1/offers/{offer_uuid}')]),
    rule('flocx:provider:offer:list', f'{ANY_READER} or {SERVICE}',
         'List the caller\'s project\'s offers (every offer for an admin).',
         [('GET', '/v1/offers')]),
    rule('flocx:provider:offer:cancel', f'{PROJECT_MEMBER} or {ADMIN}',
         'Withdraw an offer from this provider and from the market.',
         [('DELETE', '/v1/offers/{offer_uuid}')]),
]
