"""Runs rbac.yaml: every auction endpoint as every persona, through
keystonemiddleware (AuthTokenFixture), with the engine and the market's
manager on the fake transport; and checks that bids stay sealed."""

import json
import os
import time
import uuid

import fixtures
import pytest
import yaml

from flocx_auction.api import app as auction_app
from flocx_auction.api import root
from flocx_auction import policies
from flocx_auction.cmd import engine as engine_cmd
from flocx_auction import conf as auction_conf
from flocx_market.cmd import manager as manager_cmd
from tests.unit import base as ubase
from tests.unit.fuzz import harness
from tests.unit.market import base as market_base
from tests.unit import rbac

PERSONAS = rbac.PERSONAS
# Prices no aggregate would produce by chance.
WON_PRICE = 7.3125
REJECTED_PRICE = 9.8125

with open(os.path.join(os.path.dirname(__file__), 'rbac.yaml')) as f:
    MATRIX = yaml.safe_load(f)


def _wait(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.02)
    return predicate()


class KeystoneAuction:
    """The keystone-authenticated auction app, the engine and the market's
    manager, with a token per persona and one cleared round.

    ``owner_project`` offers, ``renter_project`` bids (tests/functional/rbac
    runs the same with real Keystone projects and tokens).
    """

    owner_project = 'org-a'
    renter_project = 'org-b'
    www_authenticate = 'keystone.example.com'

    def __init__(self):
        self._fixtures = fixtures.Fixture()
        self._fixtures.setUp()
        state = self._fixtures.useFixture(fixtures.TempDir()).path
        conf = self._fixtures.useFixture(ubase.ConfFixture(
            auction_conf.register_opts, **{
                'auth_strategy': 'noauth', 'auction.state_path': state,
                'auction.round_interval': 3600,
                # The one-contract round's price is published, so the
                # matrix checks what a published price shows to others.
                'auction.publish_price_min_contracts': 1})).conf
        harness.use_keystone(conf)
        self.start(conf)
        rbac.add_tokens(self._fixtures, PERSONAS)
        self.objects = self.make_round()

    def start(self, conf):
        """The market (noauth, fake transport), its manager, the engine,
        and the auction app on ``conf``."""
        self.market = self._fixtures.useFixture(market_base.MarketFixture())
        manager = manager_cmd.ManagerService(self.market.conf,
                                             self.market.services)
        manager.start()
        self._fixtures.addCleanup(manager.stop)
        self.engine = engine_cmd.EngineService(conf)
        self.engine.start()
        self._fixtures.addCleanup(self.engine.stop)
        assert _wait(lambda: self.engine.engine.last_round)
        self.app = auction_app.setup_app(conf)

    def make_round(self):
        service = ubase.Client(self.market.app, project='service',
                               roles='service')
        renter = ubase.Client(self.market.app, project=self.renter_project)
        resp = service.post('/v1/offers', market_base.offer_body(
            project=self.owner_project, price=1.0))
        assert resp.status_code == 201, resp.body
        won = renter.post('/v1/bids', market_base.bid_body(
            price=WON_PRICE)).json
        # Due now and nothing of its class on offer: answered "no".
        rejected = renter.post('/v1/bids', market_base.bid_body(
            price=REJECTED_PRICE, resource_class='no-such-class')).json
        assert _wait(lambda: self.engine.engine.book.sizes()['bids'] == 2)
        summary = self.engine.engine.run_round(reload=True)
        assert summary['contracts'] == 1, summary
        assert summary['rejected'] == [rejected['uuid']], summary
        return {'round': summary['id'], 'unknown': str(uuid.uuid4()),
                'won_bid': won['uuid'], 'rejected_bid': rejected['uuid'],
                'contract': summary['contract_uuids'][0],
                'renter_project': self.renter_project}

    def cleanup(self):
        self._fixtures.cleanUp()

    def client(self, persona):
        client = ubase.Client(self.app)
        client.headers = rbac.token_headers(persona)
        return client


@pytest.fixture(scope='module')
def keystone_auction():
    auction = KeystoneAuction()
    yield auction
    auction.cleanup()


def assert_sealed(objects, text):
    """Nothing in ``text`` tells of a bid: uuid, price or bidder."""
    for secret in (objects['won_bid'], objects['rejected_bid'],
                   objects['renter_project'],
                   repr(WON_PRICE), repr(REJECTED_PRICE)):
        assert secret not in text, (secret, text)


def test_matrix_is_complete():
    rbac.check_complete(MATRIX, PERSONAS, root.RootController())


def test_policy_documents_every_endpoint():
    rbac.check_policy_operations(policies.list_rules(), root.RootController())


def run_cell(auction, name, persona):
    """One cell of the matrix, and the sealed-bid check of a 200."""
    row = MATRIX[name]
    expected = row['expect'][persona]
    objects = auction.objects
    resp = auction.client(persona).request(
        row['method'], row['path'].format(**objects))
    rbac.check_cell(resp, row, persona, objects)
    if expected == 401:
        assert auction.www_authenticate in resp.headers['WWW-Authenticate']
    elif expected < 300 and persona not in rbac.MARKET_WIDE:
        assert_sealed(objects, resp.text)
    return resp


@pytest.mark.parametrize('name,persona', [
    (name, persona) for name in sorted(MATRIX) for persona in PERSONAS])
def test_rbac(keystone_auction, name, persona):
    run_cell(keystone_auction, name, persona)


@pytest.mark.parametrize('persona', ['owner_admin', 'owner_member',
                                     'owner_reader', 'renter_member',
                                     'other_admin', 'other_member',
                                     'service'])
def test_bids_sealed_everywhere(keystone_auction, persona):
    check_sealed_everywhere(keystone_auction, persona)


def check_sealed_everywhere(auction, persona):
    """Every readable document, the round's own included, shows only
    aggregates to projects."""
    client = auction.client(persona)
    objects = auction.objects
    texts = [client.get(path).text for path in (
        '/v1/status', '/v1/rounds', '/v1/rounds?limit=1',
        f"/v1/rounds/{objects['round']}", '/v1/prices',
        '/v1/prices?resource_class=baremetal', '/v1/mechanism')]
    for text in texts:
        assert_sealed(objects, text)
    shown = json.loads(texts[3])
    assert shown['contracts'] == 1
    assert shown['rejected'] == 1
    assert 'welfare' not in shown and 'stats' not in shown
