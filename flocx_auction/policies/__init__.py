"""The auction API's policy in code."""

from flocx_common.policy import ADMIN, ANY_READER, SERVICE
from flocx_common import policy as common_policy
from flocx_common.policy import rule

READ = f'{ANY_READER} or {SERVICE}'

rules = [
    rule('flocx:auction:status', READ,
         'Show the engine\'s status: leader, mechanism, book size.',
         [('GET', '/v1/status'), ('GET', '/v1/mechanism')]),
    rule('flocx:round:list', READ,
         'List clearing rounds (counts, welfare, clearing prices; never a '
         'bid\'s price or project).',
         [('GET', '/v1/rounds'), ('GET', '/v1/rounds/{round_id}')]),
    rule('flocx:round:start', ADMIN,
         'Clear the market now.',
         [('POST', '/v1/rounds')]),
    rule('flocx:price:list', READ,
         'Clearing prices over time and current market depth, in '
         'aggregate.',
         [('GET', '/v1/prices')]),
]


def list_rules():
    return common_policy.base_rules + rules


def get_enforcer(conf=None):
    from flocx_auction import conf as auction_conf
    return common_policy.make_enforcer(conf or auction_conf.get_conf(),
                                       list_rules())
