"""Keyset paging (flocx_common.db.select_page) on real PostgreSQL and
MariaDB: every row once, in order, ties in the sort key included, and the
values as the API renders them."""

import datetime
import decimal
import uuid

import sqlalchemy as sa

from flocx_common.api import app
from flocx_market.db import models

ROWS = 57
PAGE = 10


def _seed(db):
    t0 = datetime.datetime(2031, 5, 1, 12, 0, 0)
    rows = []
    for n in range(ROWS):
        # Three rows share each created_at and each price: ties that only
        # the id breaks.
        at = t0 + datetime.timedelta(seconds=n // 3)
        rows.append({
            'uuid': str(uuid.uuid4()), 'project_id': f'org-{n % 4}',
            'provider': 'paging', 'cloud': 'home',
            'resource_type': 'ironic_node',
            'resource_uuid': str(uuid.uuid4()), 'resource_class': 'bm',
            'properties': {'cpus': n, 'traits': ['CUSTOM_P']},
            'start_time': t0, 'end_time': t0 + datetime.timedelta(days=1),
            'price': 1.25 + (n // 3) % 5, 'status': 'open',
            'created_at': at, 'updated_at': at})
    with db.writer() as session:
        session.execute(sa.delete(models.offers).where(
            models.offers.c.provider == 'paging'))
        session.execute(sa.insert(models.offers), rows)
    return rows


def _walk(db, sort_key, sort_dir, visible_to=None):
    filters = {}
    seen, marker = [], None
    while True:
        page = db.list_offers(filters, visible_to, PAGE, marker, sort_key,
                              sort_dir)
        seen.extend(p for p in page if p['provider'] == 'paging')
        if len(page) < PAGE:
            return seen
        marker = page[-1]['uuid']


def test_pages_walk_every_row_once_in_order(database):
    db = database.connect()
    rows = _seed(db)
    ids = {}
    with db.reader() as connection:
        for uuid_, id_ in connection.execute(sa.select(
                models.offers.c.uuid, models.offers.c.id)):
            ids[uuid_] = id_
    for sort_key in ('created_at', 'price'):
        for sort_dir in ('asc', 'desc'):
            walked = _walk(db, sort_key, sort_dir)
            expected = sorted(rows, key=lambda r: (r[sort_key],
                                                   ids[r['uuid']]),
                              reverse=sort_dir == 'desc')
            assert [r['uuid'] for r in walked] == \
                [r['uuid'] for r in expected], (sort_key, sort_dir)


def test_rows_come_back_as_the_api_renders_them(database):
    db = database.connect()
    rows = _seed(db)
    first = _walk(db, 'created_at', 'asc')[0]
    assert 'id' not in first
    assert first['properties'] == rows[0]['properties']
    assert first['created_at'] == rows[0]['created_at']


def test_prices_come_back_to_the_last_digit(database):
    # 18 significant digits (NUMERIC(20, 6) holds 20): more than a float
    # keeps, so a list page that read prices as floats lost the last ones.
    db = database.connect()
    rows = _seed(db)
    exact = decimal.Decimal('123456789012.345678')
    with db.writer() as session:
        session.execute(sa.update(models.offers).where(
            models.offers.c.uuid == rows[0]['uuid']).values(price=exact))
    first = _walk(db, 'created_at', 'asc')[0]
    assert first['uuid'] == rows[0]['uuid']
    assert first['price'] == exact
    page = app.JsonRenderer(None, None).render(None, {'offers': [first]})
    assert b'"price":123456789012.345678' in page
