"""flocx-provider-dbsync: create or upgrade the provider's database schema."""

from flocx_common import cmd
from flocx_provider import conf
from flocx_provider.db import api as db_api
from flocx_provider.db import migration


def main(argv=None):
    cmd.dbsync('flocx-provider-dbsync', conf.register_opts, db_api.Connection,
               migration.MIGRATIONS, argv)
