"""The market's policy in code: one module per resource."""

import itertools

from flocx_common import policy as common_policy
from flocx_market.policies import bids
from flocx_market.policies import clouds
from flocx_market.policies import contracts
from flocx_market.policies import events
from flocx_market.policies import lifecycle
from flocx_market.policies import offers


def list_rules():
    return list(itertools.chain(
        common_policy.base_rules, offers.rules, bids.rules, contracts.rules,
        events.rules, lifecycle.rules, clouds.rules))


def get_enforcer(conf=None):
    """For oslopolicy-* tools: an enforcer with the market's defaults."""
    from flocx_market import conf as market_conf
    conf = conf or market_conf.get_conf()
    return common_policy.make_enforcer(conf, list_rules())
