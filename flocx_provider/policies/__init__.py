"""The provider's policy in code: one module per resource."""

import itertools

from flocx_common import policy as common_policy
from flocx_provider.policies import leases
from flocx_provider.policies import nodes
from flocx_provider.policies import offers


def list_rules():
    return list(itertools.chain(common_policy.base_rules, offers.rules,
                                nodes.rules, leases.rules))


def get_enforcer(conf=None):
    """For oslopolicy-* tools: an enforcer with the provider's defaults."""
    from flocx_provider import conf as provider_conf
    conf = conf or provider_conf.get_conf()
    return common_policy.make_enforcer(conf, list_rules())
