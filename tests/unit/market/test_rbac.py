"""Runs rbac.yaml: every market endpoint as every persona.

Requests go through keystonemiddleware's auth_token (auth_strategy =
keystone) with its AuthTokenFixture standing in for Keystone, so roles,
scopes and missing or unknown tokens are judged as in production.
"""

import os

import fixtures
from keystonemiddleware import fixture as ksm_fixture
import pytest
import yaml

from tests.unit import base as ubase
from tests.unit.market import base

PERSONAS = {
    'admin': ('admin', ['admin', 'member', 'reader']),
    'owner_member': ('org-a', ['member', 'reader']),
    'owner_reader': ('org-a', ['reader']),
    'renter_member': ('org-b', ['member', 'reader']),
    'other_member': ('org-c', ['member', 'reader']),
    'service': ('service', ['service']),
    'domain_reader': (None, ['reader']),
    'no_token': None,
    'bad_token': None,
}

with open(os.path.join(os.path.dirname(__file__), 'rbac.yaml')) as f:
    MATRIX = yaml.safe_load(f)


class KeystoneMarket:
    """The keystone-authenticated market app with a token per persona."""

    def __init__(self):
        self._fixtures = fixtures.Fixture()
        self._fixtures.setUp()
        self.market = self._fixtures.useFixture(base.MarketFixture(**{
            'auth_strategy': 'keystone',
            'keystone_authtoken.www_authenticate_uri':
                'https://keystone.example.com/identity'}))
        tokens = self._fixtures.useFixture(ksm_fixture.AuthTokenFixture())
        for persona, identity in PERSONAS.items():
            if identity:
                project, roles = identity
                scope = ({'project_id': project} if project else
                         {'user_domain_id': 'default'})
                tokens.add_token_data(
                    token_id=f'token-{persona}', user_id=f'{persona}-user',
                    role_list=roles, **scope)

    def cleanup(self):
        self._fixtures.cleanUp()

    def client(self, persona):
        client = ubase.Client(self.market.app)
        client.headers = {}
        if persona == 'bad_token':
            client.headers['X-Auth-Token'] = 'a-token-keystone-does-not-know'
        elif persona != 'no_token':
            client.headers['X-Auth-Token'] = f'token-{persona}'
        return client

    def make_objects(self):
        """Fresh objects, made as the parties make them."""
        service = self.client('service')
        renter = self.client('renter_member')

        def created(resp):
            assert resp.status_code == 201, resp.body
            return resp.json

        open_offer, booked, closed = (
            created(service.post('/v1/offers', base.offer_body()))
            for _ in range(3))
        service.delete(f"/v1/offers/{closed['uuid']}")
        bid = created(renter.post('/v1/bids', base.bid_body()))
        paid = created(renter.post('/v1/bids', base.bid_body()))
        # The engine commits over RPC; straight to the database here.
        contract = self.market.db.commit_award(base.award_for(paid, [booked]))
        return {'open_offer': open_offer['uuid'],
                'booked_offer': booked['uuid'],
                'closed_offer': closed['uuid'], 'bid': bid['uuid'],
                'contract': contract['uuid']}


@pytest.fixture(scope='module')
def keystone_market():
    market = KeystoneMarket()
    market.shared = market.make_objects()
    yield market
    market.cleanup()


def test_matrix_is_complete():
    for name, entry in MATRIX.items():
        assert set(entry['expect']) == set(PERSONAS), name


@pytest.mark.parametrize('name,persona', [
    (name, persona) for name in sorted(MATRIX) for persona in PERSONAS])
def test_rbac(keystone_market, name, persona):
    entry = MATRIX[name]
    expected = entry['expect'][persona]
    # A cell that should cancel something gets its own objects; the others
    # share one set (were one wrongly allowed, it fails itself anyway).
    objects = (keystone_market.make_objects()
               if entry['method'] == 'DELETE' and expected < 300
               else keystone_market.shared)
    body = {'offer': base.offer_body(), 'bid': base.bid_body(),
            None: None}[entry.get('body')]
    resp = keystone_market.client(persona).request(
        entry['method'], entry['path'].format(**objects), body)
    assert resp.status_code == expected, resp.body
    if expected >= 400:
        [error] = resp.json['errors']
        assert error['status'] == expected
        if expected == 401:
            assert 'keystone.example.com' in resp.headers['WWW-Authenticate']
    for key, present in (('list_includes', True), ('list_excludes', False)):
        for obj in entry.get(key, {}).get(persona, []):
            assert (objects[obj] in resp.text) is present, (key, obj)
