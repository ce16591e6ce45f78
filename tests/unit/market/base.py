import datetime

import fixtures
from oslo_utils import timeutils

from flocx_market.api import app
from flocx_market import conf as market_conf
from flocx_market.db import api as db_api
from flocx_market.db import migration
from flocx_market import market
from tests.unit import base


class MarketFixture(fixtures.Fixture):
    """The market's WSGI app and services on a fresh database."""

    def __init__(self, connection=None, **overrides):
        self.connection = connection
        self.overrides = overrides

    def _setUp(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        url = self.connection or f'sqlite:///{tmp}/market.sqlite'
        overrides = {'auth_strategy': 'noauth', 'database.connection': url,
                     **self.overrides}
        self.conf = self.useFixture(base.ConfFixture(
            market_conf.register_opts, **overrides)).conf
        self.db = db_api.Connection(url)
        migration.upgrade(self.db.get_engine())
        self.addCleanup(self.db.dispose)
        self.services = market.build_services(self.conf, db=self.db)
        self.app = app.setup_app(self.conf, self.services)


def iso(dt):
    return dt.replace(microsecond=0).isoformat() + 'Z'


def hours_from_now(hours):
    return timeutils.utcnow() + datetime.timedelta(hours=hours)


def offer_body(project='org-a', resource_uuid=None, start=1, end=49,
               price=1.0, resource_class='baremetal', **properties):
    import uuid
    return {
        'project_id': project,
        'resource_uuid': resource_uuid or str(uuid.uuid4()),
        'resource_class': resource_class,
        'properties': properties or {'cpus': 16, 'memory_mb': 65536,
                                     'local_gb': 500, 'cpu_arch': 'x86_64',
                                     'traits': ['CUSTOM_GPU']},
        'start_time': iso(hours_from_now(start)),
        'end_time': iso(hours_from_now(end)),
        'price': price,
    }


def bid_body(quantity=1, start=2, duration=3600, price=2.0, **extra):
    body = {'quantity': quantity, 'start_time': iso(hours_from_now(start)),
            'duration': duration, 'price': price,
            'resource_class': 'baremetal'}
    body.update(extra)
    return body


class MarketTestCase(base.TestCase):
    def setUp(self):
        super().setUp()
        self.market = self.useFixture(MarketFixture())
        self.service = base.Client(self.market.app, project='service',
                                   roles='service')
        self.org_a = base.Client(self.market.app, project='org-a')
        self.org_b = base.Client(self.market.app, project='org-b')
        self.org_c = base.Client(self.market.app, project='org-c')
        self.admin = base.Client(self.market.app, project='admin',
                                 roles='admin,member,reader')

    def make_offer(self, **kw):
        resp = self.service.post('/v1/offers', offer_body(**kw))
        self.assertEqual(201, resp.status_code, resp.body)
        return resp.json

    def make_bid(self, client=None, **kw):
        resp = (client or self.org_b).post('/v1/bids', bid_body(**kw))
        self.assertEqual(201, resp.status_code, resp.body)
        return resp.json
