"""The alembic migration builds exactly the schema the models describe."""

import datetime
import unittest

from oslo_db import exception as db_exc
from oslo_db.sqlalchemy import test_migrations
import pytest
import sqlalchemy as sa

from flocx_market.db import migration
from flocx_market.db import models
from tests.functional.db import conftest


@pytest.mark.parametrize('backend', ['postgresql', 'mysql'])
def test_models_match_migration(backend):
    db = conftest.Database(backend)
    try:
        result = unittest.TestResult()
        ModelsSync('test_models_sync', db).run(result)
        assert result.wasSuccessful(), (result.errors + result.failures)
        assert result.testsRun == 1
    finally:
        db.drop()


class ModelsSync(test_migrations.ModelsMigrationsSync, unittest.TestCase):
    """oslo.db's comparison of the migrated schema with models.py."""

    __test__ = False  # run by test_models_match_migration, on a fresh db

    def __init__(self, method, db):
        super().__init__(method)
        self.db = db

    def get_engine(self):
        if not hasattr(self, '_engine'):
            self._engine = sa.create_engine(self.db.url)
            self.addCleanup(self._engine.dispose)
        return self._engine

    def db_sync(self, engine):
        migration.upgrade(engine)

    def get_metadata(self):
        return models.Base.metadata


def test_migration_is_at_head(database):
    engine = sa.create_engine(database.url)
    try:
        assert migration.version(engine) == migration.MIGRATIONS.head()
        tables = set(sa.inspect(engine).get_table_names())
        assert set(models.Base.metadata.tables) <= tables
    finally:
        engine.dispose()


def test_postgresql_refuses_overlap_behind_the_locks_back(
        postgresql_database):
    """The exclusion constraint holds even for a writer skipping the lock."""
    conn = postgresql_database.connect()
    t0 = datetime.datetime(2030, 1, 1)
    hour = datetime.timedelta(hours=1)
    with conn.writer() as session:
        offer_id = session.execute(sa.insert(models.offers).values(
            uuid='o-1', project_id='org-a', cloud='home',
            resource_type='ironic_node',
            resource_uuid='node-1', resource_class='bm', properties={},
            start_time=t0, end_time=t0 + 10 * hour, price=1, status='open',
            created_at=t0, updated_at=t0)).inserted_primary_key[0]
        contract_ids = []
        for n in range(3):
            session.execute(sa.insert(models.bids).values(
                uuid=f'b-{n}', project_id='org-b', quantity=1,
                constraints=[], start_time=t0, latest_start_time=t0,
                duration=3600, price=1, status='contracted', created_at=t0,
                updated_at=t0))
            contract_ids.append(session.execute(
                sa.insert(models.contracts).values(
                    uuid=f'c-{n}', bid_uuid=f'b-{n}', project_id='org-b',
                    start_time=t0, end_time=t0 + hour, price=1, cost=1,
                    status='scheduled', created_at=t0, updated_at=t0)
            ).inserted_primary_key[0])

    def book(contract, start, end, released=False):
        with conn.writer() as session:
            session.execute(sa.insert(models.contract_nodes).values(
                contract_id=contract_ids[contract], offer_id=offer_id,
                resource_uuid='node-1', owner_project_id='org-a',
                start_time=t0 + start * hour, end_time=t0 + end * hour,
                booked_until=t0 + end * hour, price=1, released=released))

    book(0, 0, 2)
    with pytest.raises(db_exc.DBError) as raised:
        book(1, 1, 3)
    assert 'contract_nodes_no_overlap' in str(raised.value)
    book(1, 2, 4)               # back to back is no overlap
    book(2, 1, 3, released=True)  # released time does not count
