"""Runs rbac.yaml: every market endpoint as every persona.

Requests go through keystonemiddleware's auth_token (auth_strategy =
keystone) with its AuthTokenFixture standing in for Keystone, so roles,
scopes and missing or unknown tokens are judged as in production. The
personas are tests/unit/rbac.py's; tests/functional/rbac runs the same
matrix against real Keystone tokens.
"""

import os
import uuid as uuidlib

import fixtures
import pytest
import yaml

from flocx_market.api import root
from flocx_market import policies
from tests.unit import base as ubase
from tests.unit.market import base
from tests.unit import rbac

PERSONAS = rbac.PERSONAS

with open(os.path.join(os.path.dirname(__file__), 'rbac.yaml')) as f:
    MATRIX = yaml.safe_load(f)


class KeystoneMarket:
    """The keystone-authenticated market app with a token per persona.

    ``owner_project`` owns the offers, ``renter`` bids (tests/functional/rbac
    runs the same with real Keystone projects and tokens).
    """

    owner_project = 'org-a'
    www_authenticate = 'keystone.example.com'

    def __init__(self):
        self._fixtures = fixtures.Fixture()
        self._fixtures.setUp()
        self.market = self._fixtures.useFixture(base.MarketFixture(**{
            'auth_strategy': 'keystone',
            'keystone_authtoken.www_authenticate_uri':
                'https://keystone.example.com/identity'}))
        rbac.add_tokens(self._fixtures, PERSONAS)

    def cleanup(self):
        self._fixtures.cleanUp()

    def client(self, persona):
        client = ubase.Client(self.market.app)
        client.headers = rbac.token_headers(persona)
        return client

    def make_objects(self):
        """Fresh objects, made as the parties make them."""
        service = self.client('service')
        renter = self.client('renter_member')

        def created(resp):
            assert resp.status_code == 201, resp.body
            return resp.json

        open_offer, booked, closed = (
            created(service.post('/v1/offers', self.offer_body()))
            for _ in range(3))
        service.delete(f"/v1/offers/{closed['uuid']}")
        bid = created(renter.post('/v1/bids', base.bid_body()))
        paid = created(renter.post('/v1/bids', base.bid_body()))
        # The engine commits over RPC; straight to the database here.
        contract = self.market.db.commit_award(base.award_for(paid, [booked]))
        # The renter's credential for another cloud (as a provider would
        # hand it over), clouds and an organization the owner is part of.
        db = self.market.db
        db.set_contract_access(contract['uuid'], {'secret': 'x'})
        if db.get_cloud('home') is None:
            db.create_cloud({'name': 'home',
                             'keystone_url': 'https://home.example/v3'})
        spare = f'spare-{uuidlib.uuid4().hex[:8]}'
        db.create_cloud({'name': spare,
                         'keystone_url': 'https://spare.example/v3'})
        # A project takes part in one organization: the owner's is made once.
        org = getattr(self, 'owner_organization', None)
        if org is None:
            org = db.create_organization({'name': f'org-{uuidlib.uuid4()}'})
            db.add_organization_project(org['uuid'], 'home',
                                        self.owner_project)
            self.owner_organization = org
        member = uuidlib.uuid4().hex
        db.add_organization_project(org['uuid'], 'home', member)
        spare_org = db.create_organization({'name': f'org-{uuidlib.uuid4()}'})
        return {'open_offer': open_offer['uuid'],
                'booked_offer': booked['uuid'],
                'closed_offer': closed['uuid'], 'bid': bid['uuid'],
                'contract': contract['uuid'],
                'contract_node': booked['resource_uuid'], 'cloud': 'home',
                'spare_cloud': spare, 'organization': org['uuid'],
                'spare_organization': spare_org['uuid'],
                'member_project': member}

    def offer_body(self, **kw):
        return base.offer_body(project=self.owner_project, **kw)


@pytest.fixture(scope='module')
def keystone_market():
    market = KeystoneMarket()
    market.shared = market.make_objects()
    yield market
    market.cleanup()


def test_matrix_is_complete():
    rbac.check_complete(MATRIX, PERSONAS, root.RootController())


def test_policy_documents_every_endpoint():
    rbac.check_policy_operations(policies.list_rules(), root.RootController())


def run_cell(market, name, persona):
    """One cell of the matrix: the request, and the checks of its answer."""
    row = MATRIX[name]
    expected = row['expect'][persona]
    # A cell that changes something gets its own objects; the others share
    # one set (were one wrongly allowed, it fails itself anyway).
    objects = (market.make_objects()
               if row['method'] != 'GET' and expected < 300
               else market.shared)
    body = {'offer': market.offer_body(), 'bid': base.bid_body(),
            'extension': {'end_time': base.iso(base.hours_from_now(5))},
            'revocation': {'reason': 'node failed'},
            'cloud': {'name': f'c-{uuidlib.uuid4().hex[:8]}',
                      'keystone_url': 'https://c.example/v3'},
            'organization': {'name': f'org-{uuidlib.uuid4()}'},
            'membership': {'cloud': 'home',
                           'project_id': uuidlib.uuid4().hex},
            'status': {'status': 'active'},
            'delivery': {'resource_uuid': objects['contract_node'],
                         'lent_at': base.iso(base.hours_from_now(0))},
            'access': {'access': {'auth_type': 'v3applicationcredential'}},
            None: None}[row.get('body')]
    client = market.client(persona)
    if row.get('version'):
        client.headers['OpenStack-API-Version'] = \
            f"marketplace {row['version']}"
    resp = client.request(row['method'], row['path'].format(**objects), body)
    rbac.check_cell(resp, row, persona, objects)
    if expected == 401:
        assert market.www_authenticate in resp.headers['WWW-Authenticate']
    return resp


@pytest.mark.parametrize('name,persona', [
    (name, persona) for name in sorted(MATRIX) for persona in PERSONAS])
def test_rbac(keystone_market, name, persona):
    run_cell(keystone_market, name, persona)


@pytest.mark.parametrize('persona', ['owner_admin', 'other_admin',
                                     'other_member'])
def test_system_scope_header_from_a_client_is_ignored(keystone_market,
                                                      persona):
    check_system_scope_header_ignored(keystone_market, persona)


def check_system_scope_header_ignored(market, persona):
    """keystonemiddleware sets the scope from the token: a project token
    sent with ``OpenStack-System-Scope: all`` stays project-scoped."""
    client = market.client(persona)
    client.headers['OpenStack-System-Scope'] = 'all'
    objects = market.make_objects()
    listed = client.get('/v1/bids')
    assert listed.status_code == 200
    assert objects['bid'] not in listed.text
    assert client.delete(f"/v1/bids/{objects['bid']}").status_code == 404
    resp = client.post('/v1/offers', market.offer_body())
    assert resp.status_code == 403, resp.body


def test_project_admin_cannot_forge_an_offer_the_owner_then_cannot_make(
        keystone_market):
    check_forged_offer_refused(keystone_market)


def check_forged_offer_refused(market):
    """Issue 11, hole 3: org-c's admin offered org-a's node on the market,
    and org-a's own provider was refused 409. Now org-c's admin is refused
    and the owner's offer goes through."""
    node = rbac.unknown_uuid()
    forged = market.client('other_admin').post(
        '/v1/offers', market.offer_body(resource_uuid=node))
    assert forged.status_code == 403, forged.body
    real = market.client('service').post(
        '/v1/offers', market.offer_body(resource_uuid=node))
    assert real.status_code == 201, real.body
