"""A fresh, migrated market database per test module on real servers.

Servers come from FLOCX_TEST_POSTGRES_URL / FLOCX_TEST_MYSQL_URL (defaults:
the local PostgreSQL and MariaDB with the CI credentials). An unreachable
server skips the tests on a developer's machine, but fails them when CI is
set: in CI a silent skip would hide a broken job.
"""

import os
import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import url as sa_url

from flocx_market.db import api as db_api
from flocx_market.db import migration

SERVERS = {
    'postgresql': os.environ.get(
        'FLOCX_TEST_POSTGRES_URL',
        'postgresql+psycopg2://postgres@127.0.0.1:5432/postgres'),
    'mysql': os.environ.get(
        'FLOCX_TEST_MYSQL_URL',
        'mysql+pymysql://root@127.0.0.1:3306/'),
}


def _admin_engine(backend):
    engine = sa.create_engine(SERVERS[backend], isolation_level='AUTOCOMMIT',
                              connect_args={'connect_timeout': 3})
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql('SELECT 1')
    except Exception as e:
        engine.dispose()
        message = f'{backend} server unreachable at {SERVERS[backend]}: {e}'
        if os.environ.get('CI'):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return engine


class Database:
    """One throw-away database on a real server, migrated to head."""

    def __init__(self, backend):
        self.backend = backend
        self.name = f'flocx_test_{uuid.uuid4().hex[:12]}'
        self.admin = _admin_engine(backend)
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE {self.name}')
        self.url = sa_url.make_url(SERVERS[backend]).set(
            database=self.name).render_as_string(hide_password=False)
        self.connections = []

    def connect(self, **options):
        """A db_api.Connection as the services build it."""
        conn = db_api.Connection(self.url, max_pool_size=20,
                                 max_overflow=10, **options)
        self.connections.append(conn)
        return conn

    def migrate(self):
        engine = sa.create_engine(self.url)
        migration.upgrade(engine)
        engine.dispose()

    def drop(self):
        for conn in self.connections:
            conn.dispose()
        with self.admin.connect() as conn:
            if self.backend == 'postgresql':
                conn.exec_driver_sql(
                    'SELECT pg_terminate_backend(pid) FROM pg_stat_activity '
                    f"WHERE datname = '{self.name}' AND pid <> "
                    'pg_backend_pid()')
            conn.exec_driver_sql(f'DROP DATABASE {self.name}')
        self.admin.dispose()


def _migrated(backend):
    db = Database(backend)
    try:
        db.migrate()
        yield db
    finally:
        db.drop()


@pytest.fixture(scope='module', params=['postgresql', 'mysql'])
def database(request):
    """A migrated database on each real server, shared by one module."""
    yield from _migrated(request.param)


@pytest.fixture(scope='module')
def postgresql_database():
    """For what only PostgreSQL has (the exclusion constraint)."""
    yield from _migrated('postgresql')
