"""The provider's API and manager on SQLite, with a real market behind the
fake RPC transport and fakes of Ironic and Keystone."""

import datetime

import fixtures
from oslo_utils import timeutils

from flocx_common import rpc
from flocx_market import manager as market_manager
from flocx_provider.api import app
from flocx_provider import conf as provider_conf
from flocx_provider.db import api as db_api
from flocx_provider.db import migration
from flocx_provider import manager
from flocx_provider import provider
from tests.unit import base
from tests.unit.market import base as market_base
from tests.unit.provider import fakes

PROVIDER = 'provider-1'


class ProviderFixture(fixtures.Fixture):
    """The provider's app and services; the market serving RPC."""

    def __init__(self, **overrides):
        self.overrides = overrides

    def _setUp(self):
        self.market = self.useFixture(market_base.MarketFixture())
        server = rpc.get_server(
            self.market.conf, rpc.MARKET_TOPIC,
            [market_manager.MarketManager(self.market.services)],
            enforcer=self.market.services.enforcer)
        server.start()
        self.addCleanup(server.wait)
        self.addCleanup(server.stop)
        tmp = self.useFixture(fixtures.TempDir()).path
        url = f'sqlite:///{tmp}/provider.sqlite'
        overrides = {'auth_strategy': 'noauth', 'database.connection': url,
                     'provider.name': PROVIDER, 'provider.market_timeout': 10,
                     'provider.retry_interval': 1.0, **self.overrides}
        self.conf = self.useFixture(base.ConfFixture(
            provider_conf.register_opts, **overrides)).conf
        self.db = db_api.Connection(url)
        migration.upgrade(self.db.get_engine())
        self.addCleanup(self.db.dispose)
        self.ironic = fakes.FakeIronic()
        self.clouds = fakes.FakeClouds(parents={'org-a-dev': 'org-a'},
                                       not_granted={'org-x'})
        self.services = provider.build_services(
            self.conf, db=self.db, ironic_layer=self.ironic,
            clouds=self.clouds)
        self.app = app.setup_app(self.conf, self.services)

    def manager(self, clock):
        return manager.ProviderManager(self.services,
                                       executor=manager.InlineExecutor(),
                                       clock=clock)


def iso(dt):
    return dt.isoformat() + 'Z'


def from_now(**delta):
    return timeutils.utcnow() + datetime.timedelta(**delta)


class ProviderTestCase(base.TestCase):
    def setUp(self):
        super().setUp()
        self.fx = self.useFixture(ProviderFixture())
        self.ironic = self.fx.ironic
        self.market_db = self.fx.market.db
        self.org_a = base.Client(self.fx.app, project='org-a')
        self.org_a_manager = base.Client(self.fx.app, project='org-a',
                                         roles='manager,member,reader')
        self.org_b = base.Client(self.fx.app, project='org-b')
        self.org_c = base.Client(self.fx.app, project='org-c')
        self.node = self.ironic.add_node('org-a', name='a-node-0')

    def offer(self, client=None, node=None, start=None, end=None, price=1.5):
        start = start or from_now(minutes=1)
        end = end or start + datetime.timedelta(hours=4)
        return (client or self.org_a).post('/v1/offers', {
            'node': node or self.node.id, 'start_time': iso(start),
            'end_time': iso(end), 'price': price})

    def lease(self, client=None, node=None, project='org-a-dev', start=None,
              end=None):
        start = start or from_now(minutes=1)
        end = end or start + datetime.timedelta(hours=4)
        return (client or self.org_a_manager).post('/v1/leases', {
            'node': node or self.node.id, 'project_id': project,
            'start_time': iso(start), 'end_time': iso(end)})

    def contract(self, offers, start, duration, renter='org-b', price=2.0):
        """A contract for the offers (provider offers) committed in the
        market as the auction engine would."""
        import uuid
        bid = self.market_db.create_bid({
            'project_id': renter, 'quantity': len(offers),
            'resource_class': None, 'constraints': [], 'start_time': start,
            'latest_start_time': start, 'duration': duration,
            'price': price, 'decide_by': None})
        return self.market_db.commit_award({
            'uuid': str(uuid.uuid4()), 'bid_uuid': bid['uuid'],
            'start_time': start,
            'end_time': start + datetime.timedelta(seconds=duration),
            'price': price,
            'nodes': [{'offer_uuid': o['market_offer_uuid'], 'price': price}
                      for o in offers]})
