"""The auction engine's configuration: one ConfigOpts per process."""

from oslo_config import cfg

from flocx_auction.conf import auction
from flocx_common import conf as common_conf
from flocx_common import notify
from flocx_common import policy as common_policy

DEFAULT_PORT = 8083


def register_opts(conf):
    common_conf.register_common_opts(conf, DEFAULT_PORT)
    # Secure RBAC: scope and the new defaults enforced.
    common_policy.set_defaults(conf)
    notify.register_opts(conf)
    auction.register_opts(conf)


def get_conf(args=None, default_config_files=None):
    conf = cfg.ConfigOpts()
    register_opts(conf)
    conf(args=args or [], project='flocx', prog='flocx-auction',
         default_config_files=default_config_files or [])
    return conf
