"""Options for oslo-config-generator (namespace flocx-auction)."""

from flocx_auction.conf import DEFAULT_PORT
from flocx_auction.conf import auction
from flocx_common import conf as common_conf
from flocx_common import notify


def list_opts():
    return common_conf.list_common_opts(DEFAULT_PORT) + [
        ('auction', auction.opts),
        ('notifications', notify.notification_opts),
    ]
