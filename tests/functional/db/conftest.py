"""A fresh, migrated market database per test module on real servers.

The servers are the test process's private PostgreSQL and MariaDB
(tests/servers.py, through tests/functional/services.py). A server that
cannot be started skips the tests on a developer's machine, but fails them
under CI or FLOCX_REQUIRE_SERVICES: in CI a silent skip would hide a
broken job.
"""

import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import url as sa_url

from flocx_market.db import api as db_api
from flocx_market.db import migration
from tests.functional import services

# The backend names of the tests' ids, and the private server of each.
SERVERS = {'postgresql': 'postgresql', 'mysql': 'mariadb'}


def _admin_engine(url):
    return sa.create_engine(url, isolation_level='AUTOCOMMIT',
                            connect_args={'connect_timeout': 3})


class Database:
    """One throw-away database on a real server, migrated to head."""

    def __init__(self, backend):
        self.backend = backend
        self.name = f'flocx_test_{uuid.uuid4().hex[:12]}'
        server_url = services.require(SERVERS[backend])
        self.admin = _admin_engine(server_url)
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE {self.name}')
        self.url = sa_url.make_url(server_url).set(
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
