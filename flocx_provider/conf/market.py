"""[market]: how the provider reaches the market.

A provider of the market's own cloud calls the market over the message bus
(``channel = rpc``, the default): the bus is the market's services' own,
and they trust each other. A provider of a **member cloud** does not join
that bus: it calls the market's REST API (``channel = rest``) as its own
cloud's service user, whose token the market has that cloud's Keystone
validate (``OpenStack-Market-Cloud: <cloud>``). The market then takes from
it offers for its cloud's organizations' projects only, and reports on
contracts on its cloud's nodes only. Its admin credentials never leave its
cloud: the user here needs the ``service`` role on a project of its own
cloud and nothing more.
"""

from keystoneauth1 import loading
from oslo_config import cfg

GROUP = 'market'

opts = [
    cfg.StrOpt('channel', default='rpc', choices=[
        ('rpc', 'the market\'s message bus (a provider of the market\'s '
                'own cloud)'),
        ('rest', 'the market\'s REST API, as this cloud\'s service user '
                 '(a provider of a member cloud)')],
        help='How this provider reaches the market.'),
    cfg.StrOpt('cloud',
               help='With channel = rest: this provider\'s cloud, as the '
                    'market knows it (a [federation] member_clouds name of '
                    'the market). Sent as OpenStack-Market-Cloud, so that '
                    'the market has this cloud\'s Keystone validate the '
                    'token.'),
]


def register_opts(conf):
    conf.register_opts(opts, group=GROUP)
    loading.register_session_conf_options(conf, GROUP)
    loading.register_auth_conf_options(conf, GROUP)
    loading.register_adapter_conf_options(conf, GROUP)
    conf.set_default('service_type', 'marketplace', group=GROUP)
    conf.set_default('valid_interfaces', ['internal', 'public'], group=GROUP)


def list_opts():
    return (opts + loading.get_session_conf_options()
            + loading.get_auth_common_conf_options()
            + loading.get_auth_plugin_conf_options('password')
            + loading.get_adapter_conf_options(include_deprecated=False))
