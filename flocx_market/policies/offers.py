from flocx_common.policy import ADMIN, ANY_READER, PROJECT_MEMBER, SERVICE
from flocx_common.policy import rule

rules = [
    rule('flocx:offer:create', f'{SERVICE} or {ADMIN}',
         'Publish an offer. Offers enter the market from provider services, '
         'which vouch that the owner project owns the node.',
         [('POST', '/v1/offers')]),
    rule('flocx:offer:get', f'{ANY_READER} or {SERVICE}',
         'Show an offer. Open offers are the market and visible to every '
         'project; an owner also sees its own closed offers.',
         [('GET', '/v1/offers/{offer_uuid}')]),
    rule('flocx:offer:list', f'{ANY_READER} or {SERVICE}',
         'List offers (open ones, and the caller\'s own).',
         [('GET', '/v1/offers')]),
    rule('flocx:offer:cancel', f'{PROJECT_MEMBER} or {SERVICE} or {ADMIN}',
         'Cancel an offer: its owner\'s members, its provider, an admin.',
         [('DELETE', '/v1/offers/{offer_uuid}')]),
]
