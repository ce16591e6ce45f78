"""The auction engine's configuration: one ConfigOpts per process."""

from oslo_config import cfg
from oslo_policy import opts as policy_opts

from flocx_auction.conf import auction
from flocx_common import conf as common_conf
from flocx_common import notify

DEFAULT_PORT = 8083


def register_opts(conf):
    common_conf.register_common_opts(conf, DEFAULT_PORT)
    policy_opts.set_defaults(conf, policy_file='policy.yaml')
    notify.register_opts(conf)
    auction.register_opts(conf)


def get_conf(args=None, default_config_files=None):
    conf = cfg.ConfigOpts()
    register_opts(conf)
    conf(args=args or [], project='flocx', prog='flocx-auction',
         default_config_files=default_config_files or [])
    return conf
