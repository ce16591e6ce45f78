"""The provider's configuration: one ConfigOpts per process, never global."""

from oslo_config import cfg
from oslo_db import options as db_options

from flocx_common import conf as common_conf
from flocx_common import notify
from flocx_common import policy as common_policy
from flocx_provider.conf import ironic
from flocx_provider.conf import market
from flocx_provider.conf import provider
from flocx_provider.conf import remote_access

DEFAULT_PORT = 8082
DEFAULT_DB = 'sqlite:///flocx_provider.sqlite'


def register_opts(conf):
    common_conf.register_common_opts(conf, DEFAULT_PORT)
    db_options.set_defaults(conf, connection=DEFAULT_DB)
    # Secure RBAC: scope and the new defaults enforced.
    common_policy.set_defaults(conf)
    notify.register_opts(conf)
    provider.register_opts(conf)
    ironic.register_opts(conf)
    market.register_opts(conf)
    remote_access.register_opts(conf)


def get_conf(args=None, default_config_files=None):
    """A parsed ConfigOpts for the provider, ``args`` as on a command line."""
    conf = cfg.ConfigOpts()
    register_opts(conf)
    conf(args=args or [], project='flocx', prog='flocx-provider',
         default_config_files=default_config_files or [])
    return conf
