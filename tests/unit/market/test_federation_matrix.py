"""Runs federation.yaml: the cross-cloud cases, every cell.

Each persona is a request as its cloud's Keystone would have vouched for
it (NoAuth headers: ``OpenStack-Market-Cloud``, project, roles).
"""

import os
import uuid as uuidlib

import fixtures
import pytest
import yaml

from tests.unit import base as ubase
from tests.unit.market import base
from tests.unit import rbac

with open(os.path.join(os.path.dirname(__file__), 'federation.yaml')) as f:
    MATRIX = yaml.safe_load(f)

# persona: (cloud or None for home, project or None for system, roles)
PERSONAS = {
    'home_service': (None, 'service', 'service'),
    'home_owner': (None, 'org-a', 'member,reader'),
    'b_provider': ('cloud-b', 'b-service', 'service'),
    'c_provider': ('cloud-c', 'c-service', 'service'),
    'b_admin': ('cloud-b', None, 'admin,member,reader'),
    'b_member': ('cloud-b', 'b-proj', 'member,reader'),
}


class CrossCloudMarket:
    def __init__(self):
        self._fixtures = fixtures.Fixture()
        self._fixtures.setUp()
        self.market = self._fixtures.useFixture(base.MarketFixture())
        admin = self.client(None, None, 'admin,member,reader')
        for name in ('cloud-b', 'cloud-c'):
            assert admin.post('/v1/clouds', {
                'name': name,
                'keystone_url': f'https://{name}.example/v3'}
            ).status_code == 201
        acme = admin.post('/v1/organizations', {'name': 'acme'}).json
        assert admin.post(f'/v1/organizations/{acme["uuid"]}/projects', {
            'cloud': 'cloud-b', 'project_id': 'b-proj'}).status_code == 201

    def cleanup(self):
        self._fixtures.cleanUp()

    def client(self, cloud, project, roles):
        client = ubase.Client(self.market.app, project=project or 'x',
                              roles=roles)
        if project is None:
            del client.headers['X-Project-Id']
            client.headers['OpenStack-System-Scope'] = 'all'
        if cloud:
            client.headers['OpenStack-Market-Cloud'] = cloud
        client.headers['OpenStack-API-Version'] = 'marketplace 1.3'
        return client

    def persona(self, name):
        return self.client(*PERSONAS[name])

    def make_objects(self):
        def created(resp):
            assert resp.status_code == 201, resp.body
            return resp.json

        home_service, b_provider = (self.persona('home_service'),
                                    self.persona('b_provider'))
        home_offer, home_open, home_closed = (created(home_service.post(
            '/v1/offers', dict(base.offer_body(project='org-a'),
                               provider='home-provider'))) for _ in 'abc')
        b_offer, b_open, b_closed = (created(b_provider.post(
            '/v1/offers', dict(base.offer_body(project='b-proj'),
                               provider='b-provider'))) for _ in 'abc')
        for offer in (home_closed, b_closed):
            assert home_service.delete(
                f"/v1/offers/{offer['uuid']}").status_code == 200
        renter_b = self.persona('b_member')
        renter_home = self.client(None, 'org-b', 'member,reader')
        db = self.market.db
        home_contract = db.commit_award(base.award_for(
            created(renter_b.post('/v1/bids', base.bid_body())),
            [home_offer]))
        b_contract = db.commit_award(base.award_for(
            created(renter_home.post('/v1/bids', base.bid_body())),
            [b_offer]))
        return {'home_offer': home_offer['uuid'],
                'home_offer_open': home_open['uuid'],
                'home_node': home_offer['resource_uuid'],
                'home_offer_closed': home_closed['uuid'],
                'b_offer': b_offer['uuid'], 'b_offer_open': b_open['uuid'],
                'b_offer_closed': b_closed['uuid'],
                'b_node': b_offer['resource_uuid'],
                'home_contract': home_contract['uuid'],
                'b_contract': b_contract['uuid']}


@pytest.fixture(scope='module')
def cross_cloud():
    market = CrossCloudMarket()
    market.shared = market.make_objects()
    yield market
    market.cleanup()


def _body(name, objects):
    now = base.iso(base.hours_from_now(0))
    return {
        'b_member_offer': base.offer_body(project='b-proj'),
        'home_node_offer': base.offer_body(
            project='b-proj', resource_uuid=objects['home_node']),
        'status': {'status': 'active'},
        'home_delivery': {'resource_uuid': objects['home_node'],
                          'lent_at': now},
        'b_delivery': {'resource_uuid': objects['b_node'], 'lent_at': now},
        'access': {'access': {'auth_type': 'v3applicationcredential',
                              'application_credential_secret': 'x'}},
        None: None}[name]


def test_every_cell_has_every_persona():
    for name, row in MATRIX.items():
        assert set(row['expect']) == set(PERSONAS), name


@pytest.mark.parametrize('name,persona', [
    (name, persona) for name in sorted(MATRIX) for persona in PERSONAS])
def test_cross_cloud(cross_cloud, name, persona):
    row = MATRIX[name]
    expected = row['expect'][persona]
    objects = (cross_cloud.make_objects()
               if row.get('changes') and expected < 300
               else cross_cloud.shared)
    resp = cross_cloud.persona(persona).request(
        row['method'], row['path'].format(**objects),
        _body(row.get('body'), objects))
    rbac.check_cell(resp, row, persona, objects, www_authenticate=False)


def test_a_refused_report_is_logged(cross_cloud):
    logged = fixtures.FakeLogger(level='WARNING')
    logged.setUp()
    try:
        contract = cross_cloud.shared['home_contract']
        resp = cross_cloud.persona('b_provider').request(
            'PUT', f'/v1/contracts/{contract}/status', {'status': 'failed'})
    finally:
        logged.cleanUp()
    assert resp.status_code == 404
    assert f'Refused a report on contract {contract} from cloud cloud-b' \
        in logged.output
    assert cross_cloud.market.db.get_contract(contract)['status'] == \
        'scheduled'


def test_a_providers_view_has_no_price_and_its_own_project_names(
        cross_cloud):
    contract = cross_cloud.persona('b_provider').get(
        f"/v1/contracts/{cross_cloud.shared['b_contract']}").json
    assert not {'price', 'cost', 'bid_uuid'} & set(contract)
    assert [n['owner_project_id'] for n in contract['nodes']] == ['b-proj']
    assert all('price' not in n for n in contract['nodes'])
    # The renter, of the market's home cloud, as cloud-b names it.
    assert contract['project_id'] == 'home:org-b'


def test_a_member_cloud_provider_is_not_the_markets_service(cross_cloud):
    """Its service role is not the market's: no market-wide reading."""
    b_provider = cross_cloud.persona('b_provider')
    assert b_provider.get('/v1/events').status_code == 403
    assert b_provider.get('/v1/bids').status_code == 403
    # Open offers are the market, seen by all; a closed one of another
    # cloud is not its business.
    assert b_provider.get(
        f"/v1/offers/{cross_cloud.shared['home_offer_closed']}"
    ).status_code == 404
    assert b_provider.get(
        f"/v1/offers/{cross_cloud.shared['b_offer_closed']}"
    ).status_code == 200


def test_offers_keep_the_uuid_their_provider_gave_them(cross_cloud):
    mine = str(uuidlib.uuid4())
    resp = cross_cloud.persona('b_provider').post(
        '/v1/offers', dict(base.offer_body(project='b-proj'), uuid=mine))
    assert (resp.status_code, resp.json['uuid']) == (201, mine)
