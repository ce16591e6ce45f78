"""Options for oslo-config-generator (namespace flocx-market)."""

from oslo_db import options as db_options

from flocx_common import conf as common_conf
from flocx_common import notify
from flocx_market.conf import DEFAULT_PORT
from flocx_market.conf import market


def list_opts():
    return common_conf.list_common_opts(DEFAULT_PORT) + [
        ('market', market.opts),
        ('notifications', notify.notification_opts),
    ] + db_options.list_opts()
