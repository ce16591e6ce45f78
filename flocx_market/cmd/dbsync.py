"""flocx-market-dbsync: create or upgrade the market's database schema."""

from flocx_common import cmd
from flocx_market import conf
from flocx_market.db import api as db_api
from flocx_market.db import migration


def main(argv=None):
    cmd.dbsync('flocx-market-dbsync', conf.register_opts, db_api.Connection,
               migration.MIGRATIONS, argv)
