"""/healthcheck asks the database and the broker (flocx_common.api.health).

The outages are made without touching the machine's servers: the market's
SQLite file is removed, the broker URL points at a port nobody listens on,
the database URL at a PostgreSQL port nobody listens on.
"""

import os
import pathlib

import fixtures
import testtools

from flocx_auction import conf as auction_conf
from flocx_auction.api import app as auction_app
from flocx_common.api import app as common_app
from flocx_common.api import health
from flocx_local import openstack
from tests import servers
from tests.unit import base
from tests.unit.market import base as market_base

def _refused_url(scheme):
    return f'{scheme}://guest:guest@127.0.0.1:{openstack.free_port()}/'


class HealthcheckTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        # Every probe asks afresh.
        self.useFixture(fixtures.MonkeyPatch(
            'flocx_common.api.health.CACHE_SECONDS', 0))
        self.market = self.useFixture(market_base.MarketFixture())
        self.client = base.Client(self.market.app, 'org-a')

    def _health(self):
        """The status, and what the backends logged for this probe."""
        logs = self.useFixture(fixtures.FakeLogger(name=health.__name__))
        resp = self.client.get('/healthcheck', headers={'X-Roles': ''})
        return resp.status_code, logs.output

    def test_market_asks_database_and_broker(self):
        self.assertEqual(['flocx_database', 'flocx_broker'],
                         self.market.conf.healthcheck.backends)
        status, text = self._health()
        self.assertEqual(200, status, text)

    def test_database_gone_is_unhealthy(self):
        url = self.market.conf.database.connection
        os.remove(url.split('sqlite:///', 1)[1])
        status, text = self._health()
        self.assertEqual(503, status)
        self.assertIn('alembic_version', text)

    def test_broker_refusing_is_unhealthy(self):
        self.market.conf.set_override('transport_url',
                                      _refused_url('rabbit'))
        status, text = self._health()
        self.assertEqual(503, status)
        self.assertIn('broker unreachable', text)

    def test_other_driver_refusing_is_unhealthy(self):
        self.market.conf.set_override('transport_url', _refused_url('kafka'))
        status, text = self._health()
        self.assertEqual(503, status)
        self.assertIn('broker unreachable', text)

    def test_real_rabbitmq_is_healthy(self):
        # The test run's own RabbitMQ (tests/servers.py), not the machine's.
        self.market.conf.set_override('transport_url',
                                      servers.get('rabbitmq').url)
        status, text = self._health()
        self.assertEqual(200, status, text)

    def test_answer_is_kept_for_a_moment(self):
        self.useFixture(fixtures.MonkeyPatch(
            'flocx_common.api.health.CACHE_SECONDS', 60))
        self.assertEqual(200, self._health()[0])
        # Within CACHE_SECONDS the broker is not asked again.
        self.market.conf.set_override('transport_url',
                                      _refused_url('rabbit'))
        self.assertEqual(200, self._health()[0])


class DatabaseCheckTest(testtools.TestCase):

    def _check(self, url):
        conf = self.useFixture(base.ConfFixture(
            market_base._register_opts, **{'database.connection': url})).conf
        return health.DatabaseCheck(conf, {}).healthcheck(0)

    def test_unreachable_server(self):
        result = self._check(
            'postgresql+psycopg2://postgres@127.0.0.1:'
            f'{openstack.free_port()}/nothing')
        self.assertFalse(result.available)
        self.assertIn('OperationalError', result.reason)

    def test_database_without_schema(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        result = self._check(f'sqlite:///{tmp}/empty.sqlite')
        self.assertFalse(result.available)

    def test_locked_sqlite_file(self):
        tmp = pathlib.Path(self.useFixture(fixtures.TempDir()).path)
        market = self.useFixture(market_base.MarketFixture(
            connection=f'sqlite:///{tmp}/m.sqlite'))
        self.assertTrue(health.DatabaseCheck(
            market.conf, {}).healthcheck(0).available)
        (tmp / 'm.sqlite').chmod(0)
        self.addCleanup((tmp / 'm.sqlite').chmod, 0o600)
        if os.geteuid() == 0:
            # root reads a mode-0 file: take the directory away instead.
            (tmp / 'm.sqlite').rename(tmp / 'moved.sqlite')
            tmp.chmod(0o500)
            self.addCleanup(tmp.chmod, 0o700)
        result = health.DatabaseCheck(market.conf, {}).healthcheck(0)
        self.assertFalse(result.available, result.reason)


class ServiceBackendsTest(testtools.TestCase):

    def test_auction_asks_the_broker_only(self):
        conf = self.useFixture(base.ConfFixture(
            auction_conf.register_opts, auth_strategy='noauth')).conf
        auction_app.setup_app(conf)
        self.assertEqual(['flocx_broker'], conf.healthcheck.backends)

    def test_backend_not_installed_stops_the_service(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        conf = self.useFixture(base.ConfFixture(
            market_base._register_opts,
            **{'database.connection': f'sqlite:///{tmp}/x.sqlite'})).conf
        common_app.build_healthcheck(conf)
        conf.set_override('backends', ['flocx_database', 'flocx_nothing'],
                          group='healthcheck')
        self.assertRaisesRegex(RuntimeError, 'flocx_nothing',
                               common_app.build_healthcheck, conf)
