"""The auction API's policy in code."""

from flocx_common import policy as p
from flocx_common.policy import rule

READ = p.any_of(p.SYSTEM_READER, p.PROJECT_READER, p.SERVICE)
LEGACY_READ = f'{p.LEGACY_ANY_READER} or {p.LEGACY_SERVICE}'

rules = [
    rule('flocx:auction:status', READ,
         'Show the engine\'s status: leader, mechanism, book size.',
         [('GET', '/v1/status'), ('GET', '/v1/mechanism')],
         deprecated_check_str=LEGACY_READ),
    rule('flocx:round:list', READ,
         'List clearing rounds (counts, clearing prices; never a bid\'s '
         'price or project). A system reader (rule flocx:admin_reader) '
         'sees each round in full: the bids it rejected, its contracts, '
         'its welfare.',
         [('GET', '/v1/rounds'), ('GET', '/v1/rounds/{round_id}')],
         deprecated_check_str=LEGACY_READ),
    rule('flocx:round:start', p.SYSTEM_ADMIN,
         'Clear the market now: a market-wide action, for a system admin. '
         'To let someone else do it, grant a role on purpose, e.g. '
         '"rule:system_admin or role:market_operator".',
         [('POST', '/v1/rounds')], scope_types=p.SYSTEM,
         deprecated_check_str=p.LEGACY_ADMIN),
    rule('flocx:price:list', READ,
         'Clearing prices over time and current market depth, in '
         'aggregate.',
         [('GET', '/v1/prices')],
         deprecated_check_str=LEGACY_READ),
]


def list_rules():
    return p.base_rules + rules


def get_enforcer(conf=None):
    from flocx_auction import conf as auction_conf
    return p.make_enforcer(conf or auction_conf.get_conf(), list_rules())
