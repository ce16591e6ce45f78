"""Options for oslo-config-generator (namespace flocx-provider)."""

from oslo_db import options as db_options

from flocx_common import conf as common_conf
from flocx_common import notify
from flocx_provider.conf import DEFAULT_PORT
from flocx_provider.conf import ironic
from flocx_provider.conf import market
from flocx_provider.conf import provider
from flocx_provider.conf import remote_access


def list_opts():
    return common_conf.list_common_opts(DEFAULT_PORT) + [
        ('provider', provider.opts),
        ('ironic', ironic.list_opts()),
        ('market', market.list_opts()),
        ('remote_access', remote_access.list_opts()),
        ('notifications', notify.notification_opts),
    ] + db_options.list_opts()
