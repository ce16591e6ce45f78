"""flocx_common.db.select_page and the API's JSON renderer, together: a
list page's rows go to the client as GET shows a single row."""

import datetime
import decimal

import fixtures
import numpy
import orjson
import testtools

from flocx_common.api import app
from flocx_common.api import errors
from flocx_common import db
from flocx_market.db import api as db_api
from flocx_market.db import migration
from flocx_market.db import models
from tests.unit.market import base as market_base


class SelectPageTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        tmp = self.useFixture(fixtures.TempDir()).path
        self.db = db_api.Connection(f'sqlite:///{tmp}/market.sqlite')
        migration.upgrade(self.db.get_engine())
        self.addCleanup(self.db.dispose)
        values = market_base.offer_body(price=2.125, cpus=16,
                                        traits=['CUSTOM_A'])
        values.update(resource_type='ironic_node', provider='site-a',
                      start_time=datetime.datetime(2030, 1, 2, 3, 4, 5),
                      end_time=datetime.datetime(2030, 1, 3, 3, 4, 5,
                                                 250000))
        self.offer = self.db.create_offer(values)

    def page(self, **kwargs):
        args = dict(where=[], visible=[], limit=10, marker=None,
                    sort_key='created_at', sort_dir='asc')
        args.update(kwargs)
        with self.db.reader() as connection:
            return db.select_page(connection, models.offers, **args)

    def test_rows_render_as_get_shows_them(self):
        [row] = self.page()
        self.assertNotIn('id', row)
        # SQLite keeps NUMERIC as a REAL, and a list reads it as one.
        self.assertEqual(2.125, row['price'])
        self.assertEqual({'cpus': 16, 'traits': ['CUSTOM_A']},
                         row['properties'])
        rendered = orjson.loads(app.JsonRenderer(None, None).render(
            None, row))
        self.assertEqual(self.offer, rendered)
        self.assertEqual('2030-01-03T03:04:05.250000+00:00',
                         rendered['end_time'])

    def test_internal_columns_kept_when_asked(self):
        [row] = self.page(internal=())
        self.assertIsInstance(row['id'], int)

    def test_unknown_marker_is_400(self):
        self.assertRaises(errors.BadRequest, self.page,
                          marker='00000000-0000-0000-0000-000000000000')

    def test_renderer_writes_decimals_as_numbers(self):
        body = app.JsonRenderer(None, None).render(
            None, {'price': decimal.Decimal('1.50'), 1: 'x'})
        self.assertEqual({'price': 1.5, '1': 'x'}, orjson.loads(body))

    def test_renderer_writes_each_digit_of_a_decimal(self):
        # 17 significant digits, which no float holds: the text is exact.
        body = app.JsonRenderer(None, None).render(None, [
            decimal.Decimal('123456789012.345678'), decimal.Decimal('1E+2'),
            decimal.Decimal('0.000001'), decimal.Decimal('2.100000')])
        self.assertEqual(b'[123456789012.345678,100.0,0.000001,2.1]', body)

    def test_renderer_writes_numpy_scalars(self):
        body = app.JsonRenderer(None, None).render(
            None, {'price': numpy.float64(2.5), 'n': numpy.int64(3)})
        self.assertEqual({'price': 2.5, 'n': 3}, orjson.loads(body))

    def test_renderer_refuses_what_it_cannot_write(self):
        self.assertRaises(TypeError, app.JsonRenderer(None, None).render,
                          None, {'x': object()})
