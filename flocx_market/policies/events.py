from flocx_common import policy as p
from flocx_common.policy import rule

rules = [
    rule('flocx:event:list', p.SYSTEM_OR_PROJECT_READER,
         'List what happened to the caller\'s project\'s offers, bids and '
         'contracts.',
         [('GET', '/v1/events')],
         deprecated_check_str=f'{p.LEGACY_ANY_READER} or {p.LEGACY_SERVICE}'),
    rule('flocx:event:list_all', p.SYSTEM_READER,
         'See every project\'s events (they tell of bids).',
         [('GET', '/v1/events')],
         deprecated_check_str=f'{p.LEGACY_ADMIN} or {p.LEGACY_SERVICE}'),
]
