"""A database that cannot be reached answers 503, not 500.

Found by tests/hardening: while PostgreSQL or MariaDB restarts, every
request failed with a 500 "unexpected error" and a traceback in the log.
"""

from oslo_db import exception as db_exc
import sqlalchemy.exc

from tests.unit import base
from tests.unit.market import base as mbase


class DatabaseOutageTest(mbase.MarketTestCase):
    def _assert_503(self, error):
        def refused(*args, **kwargs):
            raise error
        self.useFixture(base.fixtures.MonkeyPatch(
            'flocx_market.db.api.Connection.create_offer', refused))
        resp = self.service.post('/v1/offers', mbase.offer_body())
        self.assertEqual(503, resp.status_code, resp.body)
        self.assertEqual('flocx.database_unavailable',
                         resp.json['errors'][0]['code'])
        self.assertEqual('2', resp.headers['Retry-After'])

    def test_unreachable_database_is_503_with_retry_after(self):
        # MariaDB (PyMySQL): oslo.db recognizes the refused connection.
        self._assert_503(db_exc.DBConnectionError('connection refused'))

    def test_new_connection_refused_by_postgresql_is_503(self):
        # psycopg2 with a recent libpq: oslo.db lets SQLAlchemy's error by.
        self._assert_503(sqlalchemy.exc.OperationalError(
            'SELECT 1', {}, Exception('connection to server at "127.0.0.1", '
                                      'port 5432 failed: Connection refused')))
