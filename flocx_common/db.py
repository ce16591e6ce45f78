"""What the market's and the provider's databases share.

Each service keeps its own tables (``db/models.py``), queries (``db/api.py``)
and alembic history (``db/migration/``); the engine facade, the column types
and the alembic plumbing are the same and live here.
"""

import datetime
import functools
import os

from alembic import command
from alembic import config as alembic_config
from alembic import context as alembic_context
from alembic import migration
from alembic import script as alembic_script
from oslo_db import api as oslo_db_api
from oslo_db.sqlalchemy import enginefacade
import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import mysql
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite

from flocx_common.api import errors

# MySQL's DATETIME drops fractions of a second unless asked.
Time = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql')
Money = sa.Numeric(20, 6)
UUID = sa.String(36)
PROJECT = sa.String(64)

ENGINE_OPTIONS = ('max_pool_size', 'max_overflow', 'pool_timeout',
                  'max_retries', 'retry_interval', 'sqlite_synchronous',
                  'mysql_sql_mode', 'connection_recycle_time')

# Deadlocks (MariaDB) are transient: the transaction is run again from the
# start. Duplicate keys are not: lock rows are created by an upsert, and any
# other duplicate is a caller's mistake that no retry can mend.
retry_on_deadlock = oslo_db_api.wrap_db_retry(
    max_retries=10, retry_interval=0.05, inc_retry_interval=True,
    max_retry_interval=1, retry_on_deadlock=True)

_UPSERTS = {'postgresql': postgresql.insert, 'sqlite': sqlite.insert}


def iso(value):
    """A naive UTC datetime (as stored) as ISO 8601 with its offset."""
    if value.tzinfo is None:
        # The same text as the aware isoformat(), for a fraction of the cost.
        return value.isoformat() + '+00:00'
    return value.astimezone(datetime.timezone.utc).isoformat()


def serialize(row, internal=('id',)):
    """A row as the APIs show it: ISO 8601 UTC times, exact Decimal
    prices (the JSON renderer writes their digits)."""
    out = {}
    for key, value in row.items():
        if key in internal:
            continue
        if isinstance(value, datetime.datetime):
            value = iso(value)
        out[key] = value
    return out


def get_row(connection, table, uuid):
    """The row of ``table`` with this uuid, as a mapping, or None."""
    return connection.execute(_by_uuid(table),
                              {'uuid': uuid}).mappings().first()


@functools.cache
def _by_uuid(table):
    # One statement object per table: SQLAlchemy neither builds its cache
    # key nor adapts the cached result columns again (a tenth of a GET).
    return sa.select(table).where(table.c.uuid == sa.bindparam('uuid'))


def select_page(connection, table, where, visible, limit, marker, sort_key,
                sort_dir, internal=('id',)):
    """One page of a list, as plain dicts, after the row ``marker``.

    Keyset pagination on (sort_key, id). ``visible`` (conditions like
    ``where``) also limits which rows may be a marker: a marker the caller
    cannot see would otherwise leak where that row sorts (e.g. a sealed
    bid's price).

    Rows come back as the APIs render them (the JSON renderer writes the
    datetimes): prices as floats, JSON columns parsed by orjson, no
    ``internal`` columns. A 1,000-row page spent two thirds of its time
    in SQLAlchemy's json.loads and Decimals and in ``serialize``; callers
    that need text times (RPC answers) ``serialize`` the rows.
    """
    column = table.c[sort_key]
    ascending = sort_dir == 'asc'
    order = (column.asc(), table.c.id.asc()) if ascending else \
        (column.desc(), table.c.id.desc())
    json_columns = [c.name for c in table.c if isinstance(c.type, sa.JSON)]
    real_money = connection.dialect.name == 'sqlite'
    query = sa.select(*(_listed(c, real_money) for c in table.c)).where(
        *where, *visible).order_by(*order).limit(limit)
    if marker:
        mark = connection.execute(sa.select(column, table.c.id).where(
            table.c.uuid == marker, *visible)).first()
        if mark is None:
            raise errors.BadRequest(
                f'marker {marker} is not a known item of this list.')
        # A row-value comparison: PostgreSQL reads it as one range of the
        # (sort_key, id) index; the equivalent OR of two conditions made it
        # filter every row before the marker.
        key, mark = sa.tuple_(column, table.c.id), sa.tuple_(*mark)
        query = query.where(key > mark if ascending else key < mark)
    result = connection.execute(query)
    keys = tuple(result.keys())
    rows = [dict(zip(keys, r)) for r in result.all()]
    for row in rows:
        for name in json_columns:
            if row[name] is not None:
                row[name] = orjson.loads(row[name])
        for name in internal:
            del row[name]
    return rows


def _listed(column, real_money):
    if isinstance(column.type, sa.JSON):
        return sa.cast(column, sa.Text).label(column.name)
    if real_money and isinstance(column.type, sa.Numeric):
        # SQLite keeps NUMERIC as a REAL: read as the float it is, the
        # renderer writes the same digits, without a Decimal per row.
        return sa.type_coerce(column, sa.Float).label(column.name)
    return column


class Timestamps:
    created_at = sa.Column(Time, nullable=False)
    updated_at = sa.Column(Time, nullable=False)


@enginefacade.transaction_context_provider
class _Scope:
    """A fresh holder for one oslo.db transaction."""


class Connection:
    """One oslo.db engine facade; a service's query class extends it."""

    def __init__(self, connection_url, **engine_options):
        self._facade = enginefacade.transaction_context()
        self._facade.configure(connection=connection_url, **engine_options)

    @classmethod
    def from_conf(cls, conf):
        options = {k: v for k, v in conf.database.items()
                   if k in ENGINE_OPTIONS}
        return cls(conf.database.connection, **options)

    def writer(self):
        return self._facade.writer.using(_Scope())

    def reader(self):
        # A Core connection, not an ORM session: nothing here maps objects,
        # and the session's bookkeeping was a tenth of a simple GET.
        return self._facade.reader.connection.using(_Scope())

    def get_engine(self):
        return self._facade.writer.get_engine()

    def dispose(self):
        self._facade.dispose_pool()


def lock_row(session, key_column, key):
    """Take the lock row ``key`` of a lock table, creating it the first time.

    Lock tables have the key and an integer ``generation``. One upsert that
    bumps the generation: it row-locks on PostgreSQL and MariaDB (and takes
    the database's write lock on SQLite), and two first users of a key wait
    for each other instead of failing on the primary key.
    """
    table = key_column.table
    bump = {'generation': table.c.generation + 1}
    dialect = session.get_bind().dialect.name
    if dialect == 'mysql':
        stmt = mysql.insert(table).values(
            {key_column.name: key, 'generation': 1}
        ).on_duplicate_key_update(**bump)
    else:
        stmt = _UPSERTS[dialect](table).values(
            {key_column.name: key, 'generation': 1}
        ).on_conflict_do_update(index_elements=[key_column], set_=bump)
    session.execute(stmt)


class Migrations:
    """A service's alembic history, run without an alembic.ini."""

    def __init__(self, script_location):
        self.script_location = script_location

    def _config(self, connection):
        cfg = alembic_config.Config()
        cfg.set_main_option('script_location', self.script_location)
        cfg.attributes['connection'] = connection
        return cfg

    def upgrade(self, engine, revision='head'):
        with engine.begin() as connection:
            command.upgrade(self._config(connection), revision)

    def revision(self, engine, message):
        """Autogenerate a revision against ``engine`` (for developers)."""
        with engine.begin() as connection:
            command.revision(self._config(connection), message=message,
                             autogenerate=True)

    def head(self):
        """The newest revision of this history."""
        return alembic_script.ScriptDirectory.from_config(
            self._config(None)).get_current_head()

    @staticmethod
    def version(engine):
        with engine.connect() as connection:
            return migration.MigrationContext.configure(
                connection).get_current_revision()


def run_migrations(metadata):
    """The body of every service's alembic env.py."""
    connection = alembic_context.config.attributes['connection']
    alembic_context.configure(
        connection=connection, target_metadata=metadata,
        render_as_batch=connection.dialect.name == 'sqlite')
    with alembic_context.begin_transaction():
        alembic_context.run_migrations()


def script_location(package_file):
    return os.path.dirname(package_file)
