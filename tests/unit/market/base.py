import datetime

import fixtures
from keystonemiddleware import auth_token
from oslo_utils import timeutils

from flocx_market.api import app
from flocx_market import conf as market_conf
from flocx_market.db import api as db_api
from flocx_market.db import migration
from flocx_market import market
from tests.unit import base


def _register_opts(conf):
    market_conf.register_opts(conf)
    # keystonemiddleware reads [keystone_authtoken] once, when built.
    for group, opts in auth_token.list_opts():
        conf.register_opts(opts, group=group)


class MarketFixture(fixtures.Fixture):
    """The market's WSGI app and services on a fresh database."""

    def __init__(self, connection=None, register=None, **overrides):
        """``register(conf)``: more options to register, e.g. a test's own
        [cloud:NAME] groups."""
        self.connection = connection
        self.register = register
        self.overrides = overrides

    def _setUp(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        url = self.connection or f'sqlite:///{tmp}/market.sqlite'
        overrides = {'auth_strategy': 'noauth', 'database.connection': url,
                     **self.overrides}
        # oslo.middleware registers its options when the app is built.
        late = {k: overrides.pop(k) for k in list(overrides)
                if k.startswith('oslo_middleware.')}
        def register(conf):
            _register_opts(conf)
            if self.register:
                self.register(conf)
        self.conf = self.useFixture(base.ConfFixture(
            register, **overrides)).conf
        self.db = db_api.Connection(url)
        migration.upgrade(self.db.get_engine())
        self.addCleanup(self.db.dispose)
        self.services = market.build_services(self.conf, db=self.db)
        self.app = app.setup_app(self.conf, self.services)
        for key, value in late.items():
            group, name = key.split('.')
            self.conf.set_override(name, value, group=group)


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
        # The market's admin: system-scoped (a project's admin is only
        # its organization's).
        self.admin = base.Client(self.market.app, system=True,
                                 roles='admin,member,reader')

    def make_offer(self, **kw):
        resp = self.service.post('/v1/offers', offer_body(**kw))
        self.assertEqual(201, resp.status_code, resp.body)
        return resp.json

    def make_bid(self, client=None, **kw):
        resp = (client or self.org_b).post('/v1/bids', bid_body(**kw))
        self.assertEqual(201, resp.status_code, resp.body)
        return resp.json


def parse(text):
    """A naive UTC datetime from the API's ISO 8601 strings."""
    return timeutils.normalize_time(timeutils.parse_isotime(text))


def award_for(bid, offers, start=None, duration=None, price=None,
              node_prices=None, uuid=None, round_id='round-1'):
    """What the auction engine would send to give ``offers`` to ``bid``.

    Defaults obey every rule: the bid's earliest start and duration, the
    renter pays its bid price, each owner gets its ask.
    """
    import uuid as uuidlib
    start = start or parse(bid['start_time'])
    end = start + datetime.timedelta(seconds=duration or bid['duration'])
    node_prices = node_prices or [o['price'] for o in offers]
    return {'uuid': uuid or str(uuidlib.uuid4()), 'bid_uuid': bid['uuid'],
            'round_id': round_id, 'start_time': start, 'end_time': end,
            'price': bid['price'] if price is None else price,
            'nodes': [{'offer_uuid': o['uuid'], 'price': p}
                      for o, p in zip(offers, node_prices)]}


class BookingTestCase(MarketTestCase):
    """Offers of org-a, bids of org-b, and contracts between them."""

    @property
    def db(self):
        return self.market.db

    def commit(self, award):
        return self.db.commit_award(award)

    def assertRefused(self, award, fragment):
        e = self.assertRaises(db_api.Refused, self.commit, award)
        self.assertIn(fragment, str(e))
        return e

    def contract(self, offers=None, bid=None, **kw):
        """A scheduled contract of org-b on org-a's node(s)."""
        offers = offers or [self.make_offer()]
        bid = bid or self.make_bid(quantity=len(offers))
        return self.commit(award_for(bid, offers, **kw))
