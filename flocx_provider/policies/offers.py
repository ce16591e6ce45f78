from flocx_common import policy as p
from flocx_common.policy import rule

rules = [
    rule('flocx:provider:offer:create', p.PROJECT_MEMBER,
         'Offer a node the caller\'s project owns in Ironic on the market. '
         'Ironic ownership is checked besides this rule.',
         [('POST', '/v1/offers')], scope_types=p.PROJECT,
         deprecated_check_str=p.LEGACY_PROJECT_MEMBER),
    rule('flocx:provider:offer:get', p.SYSTEM_OR_PROJECT_READER,
         'Show an offer to its owner project and system readers (others '
         'get 404).',
         [('GET', '/v1/offers/{offer_uuid}')],
         deprecated_check_str=(f'{p.LEGACY_PROJECT_READER} or '
                               f'{p.LEGACY_SERVICE} or {p.LEGACY_ADMIN}')),
    rule('flocx:provider:offer:list', p.SYSTEM_OR_PROJECT_READER,
         'List the caller\'s project\'s offers (every offer for a system '
         'reader: rule flocx:admin_reader).',
         [('GET', '/v1/offers')],
         deprecated_check_str=f'{p.LEGACY_ANY_READER} or {p.LEGACY_SERVICE}'),
    rule('flocx:provider:offer:cancel', p.SYSTEM_ADMIN_OR_PROJECT_MEMBER,
         'Withdraw an offer from this provider and from the market: the '
         'owner project\'s members, a system admin.',
         [('DELETE', '/v1/offers/{offer_uuid}')],
         deprecated_check_str=(f'{p.LEGACY_PROJECT_MEMBER} or '
                               f'{p.LEGACY_ADMIN}')),
]
