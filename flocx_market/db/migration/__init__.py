"""Schema migrations (alembic), run by ``flocx-market-dbsync``."""

from flocx_common import db

MIGRATIONS = db.Migrations(db.script_location(__file__))
upgrade = MIGRATIONS.upgrade
version = MIGRATIONS.version
