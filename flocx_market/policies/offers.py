from flocx_common import policy as p
from flocx_common.policy import rule

rules = [
    rule('flocx:offer:create',
         p.any_of(p.SYSTEM_ADMIN, p.SERVICE, p.CLOUD_PROVIDER),
         'Publish an offer, in the name of the project given in the body. '
         'Offers enter the market from provider services, which vouch that '
         'the owner project owns the node; owners use their provider\'s '
         'API. No project-scoped token may publish here, a project\'s '
         'admin included: it could offer another organization\'s node. '
         'A member cloud\'s provider publishes for its own cloud\'s '
         'projects only.',
         [('POST', '/v1/offers')],
         deprecated_check_str=f'{p.LEGACY_SERVICE} or {p.LEGACY_ADMIN}'),
    rule('flocx:offer:get',
         p.any_of(p.SYSTEM_READER, p.PROJECT_READER, p.SERVICE,
                  p.CLOUD_PROVIDER),
         'Show an offer. Open offers are the market and visible to every '
         'project; an owner also sees its own closed offers.',
         [('GET', '/v1/offers/{offer_uuid}')],
         deprecated_check_str=f'{p.LEGACY_ANY_READER} or {p.LEGACY_SERVICE}'),
    rule('flocx:offer:list',
         p.any_of(p.SYSTEM_READER, p.PROJECT_READER, p.SERVICE,
                  p.CLOUD_PROVIDER),
         'List offers (open ones, and the caller\'s own).',
         [('GET', '/v1/offers')],
         deprecated_check_str=f'{p.LEGACY_ANY_READER} or {p.LEGACY_SERVICE}'),
    rule('flocx:offer:list_all', p.SYSTEM_READER_OR_SERVICE,
         'See every project\'s offers, closed ones included, in lists and '
         'one by one.',
         [('GET', '/v1/offers'), ('GET', '/v1/offers/{offer_uuid}')],
         deprecated_check_str=f'{p.LEGACY_ADMIN} or {p.LEGACY_SERVICE}'),
    rule('flocx:offer:cancel',
         p.any_of(p.SYSTEM_ADMIN, p.PROJECT_MEMBER, p.SERVICE,
                  p.CLOUD_PROVIDER),
         'Cancel an offer: its owner project\'s members, its provider (the '
         'service role; a member cloud\'s provider for its own cloud\'s '
         'offers only), a system admin.',
         [('DELETE', '/v1/offers/{offer_uuid}')],
         deprecated_check_str=(f'{p.LEGACY_PROJECT_MEMBER} or '
                               f'{p.LEGACY_SERVICE} or {p.LEGACY_ADMIN}')),
    rule('flocx:offer:list_cloud', p.CLOUD_PROVIDER,
         'A member cloud\'s provider sees every offer of its own cloud, '
         'closed ones included, and no other cloud\'s but the open ones.',
         [('GET', '/v1/offers'), ('GET', '/v1/offers/{offer_uuid}')]),
]
