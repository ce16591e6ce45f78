"""Schema migrations (alembic), run by ``flocx-provider-dbsync``."""

import os

from alembic import command
from alembic import config as alembic_config
from alembic import migration


def _config(connection=None, url=None):
    cfg = alembic_config.Config()
    cfg.set_main_option('script_location', os.path.dirname(__file__))
    if url:
        cfg.set_main_option('sqlalchemy.url', url)
    cfg.attributes['connection'] = connection
    return cfg


def upgrade(engine, revision='head'):
    with engine.begin() as connection:
        command.upgrade(_config(connection), revision)


def version(engine):
    with engine.connect() as connection:
        return migration.MigrationContext.configure(
            connection).get_current_revision()
