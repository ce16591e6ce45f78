"""Runs rbac.yaml: every provider endpoint as every persona, through
keystonemiddleware (AuthTokenFixture), with the market on the fake transport
and fakes of Ironic and Keystone."""

import os

import fixtures
from keystonemiddleware import fixture as ksm_fixture
import pytest
import yaml

from flocx_provider.api import app as provider_app
from tests.unit import base as ubase
from tests.unit.fuzz import harness
from tests.unit.provider import base

PERSONAS = {
    'admin': ('admin', ['admin', 'member', 'reader']),
    'owner_manager': ('org-a', ['manager', 'member', 'reader']),
    'owner_member': ('org-a', ['member', 'reader']),
    'owner_reader': ('org-a', ['reader']),
    'lessee_member': ('org-a-dev', ['member', 'reader']),
    'renter_member': ('org-b', ['member', 'reader']),
    'other_member': ('org-c', ['member', 'reader']),
    'service': ('service', ['service']),
    'domain_reader': (None, ['reader']),
    'no_token': None,
    'bad_token': None,
}

with open(os.path.join(os.path.dirname(__file__), 'rbac.yaml')) as f:
    MATRIX = yaml.safe_load(f)


class KeystoneProvider:
    def __init__(self):
        self._fixtures = fixtures.Fixture()
        self._fixtures.setUp()
        self.fx = self._fixtures.useFixture(base.ProviderFixture())
        harness.use_keystone(self.fx.conf)
        self.app = provider_app.setup_app(self.fx.conf, self.fx.services)
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
        client = ubase.Client(self.app)
        client.headers = {}
        if persona == 'bad_token':
            client.headers['X-Auth-Token'] = 'a-token-keystone-does-not-know'
        elif persona != 'no_token':
            client.headers['X-Auth-Token'] = f'token-{persona}'
        return client

    def window(self):
        start = base.from_now(minutes=1)
        return {'start_time': base.iso(start),
                'end_time': base.iso(base.from_now(hours=4))}

    def offer_body(self):
        node = self.fx.ironic.add_node('org-a')
        return dict(self.window(), node=node.id, price=1.5)

    def lease_body(self):
        node = self.fx.ironic.add_node('org-a')
        return dict(self.window(), node=node.id, project_id='org-a-dev')

    def make_objects(self):
        owner = self.client('owner_manager')
        objects = {}
        for kind, body in (('offer', self.offer_body()),
                           ('lease', self.lease_body())):
            resp = owner.post(f'/v1/{kind}s', body)
            assert resp.status_code == 201, resp.body
            objects[kind] = resp.json['uuid']
        return objects


@pytest.fixture(scope='module')
def keystone_provider():
    provider = KeystoneProvider()
    provider.shared = provider.make_objects()
    yield provider
    provider.cleanup()


def test_matrix_is_complete():
    for name, entry in MATRIX.items():
        assert set(entry['expect']) == set(PERSONAS), name


@pytest.mark.parametrize('name,persona', [
    (name, persona) for name in sorted(MATRIX) for persona in PERSONAS])
def test_rbac(keystone_provider, name, persona):
    entry = MATRIX[name]
    expected = entry['expect'][persona]
    objects = (keystone_provider.make_objects()
               if entry['method'] == 'DELETE' and expected < 300
               else keystone_provider.shared)
    body = {'offer': keystone_provider.offer_body,
            'lease': keystone_provider.lease_body,
            None: lambda: None}[entry.get('body')]()
    resp = keystone_provider.client(persona).request(
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
