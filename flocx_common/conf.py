"""Options every FLOCX service has, registered on a caller-owned ConfigOpts.

Nothing here touches a global ``cfg.CONF``: each service builds its own
``ConfigOpts`` in its console script (or test) and passes it down.
"""

import importlib

from keystonemiddleware import auth_token
from oslo_config import cfg
from oslo_log import log
import oslo_messaging
import oslo_messaging.opts

from flocx_common.api import clouds

AUTH_STRATEGIES = ('keystone', 'noauth')

default_opts = [
    cfg.StrOpt('auth_strategy', default='keystone', choices=AUTH_STRATEGIES,
               help='How API requests are authenticated. "noauth" trusts the '
                    'X-Project-Id and X-Roles headers and is only for local '
                    'trials and unit tests: the API refuses to listen on a '
                    'non-loopback address with it unless '
                    '[api] allow_insecure_noauth is set.'),
    cfg.HostAddressOpt('host', default='localhost',
                       help='Name of this host, used as the RPC server name.'),
]


def api_opts(default_port):
    return [
        cfg.HostAddressOpt('host_ip', default='127.0.0.1',
                           help='Address the API listens on.'),
        cfg.PortOpt('port', default=default_port,
                    help='Port the API listens on.'),
        cfg.IntOpt('workers', default=1, min=1,
                   help='Number of API worker processes.'),
        cfg.IntOpt('threads', default=1, min=1, max=256,
                   help='Threads per API worker process. Python runs one '
                        'thread of a process at a time, so one thread is '
                        'the fastest and workers add concurrency. More '
                        'threads let a worker go on while a request waits, '
                        'e.g. on Keystone to validate a token it has not '
                        'cached.'),
        cfg.IntOpt('default_limit', default=100, min=1,
                   help='Page size of a list when the request names no limit.'),
        cfg.IntOpt('max_limit', default=1000, min=1,
                   help='Largest page size a request may ask for.'),
        cfg.StrOpt('public_endpoint',
                   help='Base URL clients use to reach this API, for links '
                        '(e.g. behind a proxy). Defaults to the request URL.'),
        cfg.BoolOpt('allow_insecure_noauth', default=False,
                    help='Allow auth_strategy=noauth on a non-loopback '
                         'address. Anybody who reaches the port is then '
                         'admin: never set this in production.'),
    ]


# How long keystonemiddleware keeps a validated token in its cache: a
# revoked token (a removed role, a disabled user, `openstack token revoke`)
# still works for at most this many seconds on an API process that has
# seen it. keystonemiddleware's default is 300; 60 keeps Keystone's load at
# one validation per token, process and minute. See the admin guide
# (doc/source/admin/policy.rst, "Token revocation").
TOKEN_CACHE_TIME = 60


def set_auth_token_defaults():
    """FLOCX's defaults for keystonemiddleware's [keystone_authtoken].

    keystonemiddleware has no set_defaults of its own: its option objects
    (AUTH_TOKEN_OPTS) are shared by every ConfigOpts that registers them,
    as oslo.policy's are, so this sets the default for the process and the
    sample config alike. An operator's value still wins.
    """
    for _group, opts in auth_token.AUTH_TOKEN_OPTS:
        cfg.set_defaults(opts, token_cache_time=TOKEN_CACHE_TIME)


# At import too: oslo-config-generator imports every namespace's module
# before it asks keystonemiddleware for its options, in no fixed order.
set_auth_token_defaults()


def register_common_opts(conf, default_port):
    """Register what every FLOCX service has: logging, RPC, auth, API."""
    set_auth_token_defaults()
    log.register_options(conf)
    conf.register_opts(default_opts)
    conf.register_opts(api_opts(default_port), group='api')
    clouds.register_opts(conf)
    oslo_messaging.set_transport_defaults('flocx')
    for group, opts in oslo_messaging.opts.list_opts():
        if group is None:
            conf.register_opts(opts)
    _register_late_messaging_opts(conf)
    # No default transport_url (oslo.messaging's is rabbit:// on localhost):
    # a service without one refuses to start with a one-line reason
    # (flocx_common.cmd.require_transport) rather than talk to a broker or
    # an in-process transport nobody else uses. The embedded local cloud
    # names the in-process transport (fake://) explicitly in its configs.
    conf.set_default('transport_url', None)


# oslo.messaging registers these only on the global cfg.CONF or lazily on
# first use, yet reads them from the transport's ConfigOpts: a service with
# its own ConfigOpts registers them itself, as oslo_messaging.ConfFixture does.
_LATE_MESSAGING_OPTS = (
    ('oslo_messaging._metrics.client', 'oslo_messaging_metrics',
     'oslo_messaging_metrics'),
    ('oslo_messaging._tracing.client', 'oslo_messaging_tracing',
     'oslo_messaging_tracing'),
    ('oslo_messaging.rpc.client', '_client_opts', None),
    ('oslo_messaging.rpc.dispatcher', '_dispatcher_opts', None),
)


def _register_late_messaging_opts(conf):
    for module_name, attribute, group in _LATE_MESSAGING_OPTS:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        opts = getattr(module, attribute, None)
        if opts is not None:
            conf.register_opts(opts, group=group)


def list_common_opts(default_port):
    return [
        ('DEFAULT', default_opts),
        ('api', api_opts(default_port)),
        *clouds.list_opts(),
    ]
