from flocx_common.policy import ANY_READER, SERVICE
from flocx_common.policy import rule

rules = [
    rule('flocx:event:list', f'{ANY_READER} or {SERVICE}',
         'List what happened to the caller\'s project\'s offers, bids and '
         'contracts.',
         [('GET', '/v1/events')]),
]
