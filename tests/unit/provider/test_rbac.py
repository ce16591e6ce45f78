"""Runs rbac.yaml: every provider endpoint as every persona, through
keystonemiddleware (AuthTokenFixture), with the market on the fake transport
and fakes of Ironic and Keystone."""

import os

import fixtures
import pytest
import yaml

from flocx_provider.api import app as provider_app
from flocx_provider.api import root
from flocx_provider import policies
from tests.unit import base as ubase
from tests.unit.fuzz import harness
from tests.unit.provider import base
from tests.unit import rbac

PERSONAS = dict(
    rbac.PERSONAS,
    owner_manager=('org-a', ['manager', 'member', 'reader']),
    lessee_member=('org-a-dev', rbac.MEMBER_ROLES))

with open(os.path.join(os.path.dirname(__file__), 'rbac.yaml')) as f:
    MATRIX = yaml.safe_load(f)


class KeystoneProvider:
    def __init__(self):
        self._fixtures = fixtures.Fixture()
        self._fixtures.setUp()
        self.fx = self._fixtures.useFixture(base.ProviderFixture())
        harness.use_keystone(self.fx.conf)
        self.app = provider_app.setup_app(self.fx.conf, self.fx.services)
        rbac.add_tokens(self._fixtures, PERSONAS)

    def cleanup(self):
        self._fixtures.cleanUp()

    def client(self, persona):
        client = ubase.Client(self.app)
        client.headers = rbac.token_headers(persona)
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
    rbac.check_complete(MATRIX, PERSONAS, root.RootController())


def test_policy_documents_every_endpoint():
    rbac.check_policy_operations(policies.list_rules(), root.RootController())


@pytest.mark.parametrize('name,persona', [
    (name, persona) for name in sorted(MATRIX) for persona in PERSONAS])
def test_rbac(keystone_provider, name, persona):
    row = MATRIX[name]
    expected = row['expect'][persona]
    objects = (keystone_provider.make_objects()
               if row['method'] != 'GET' and expected < 300
               else keystone_provider.shared)
    body = {'offer': keystone_provider.offer_body,
            'lease': keystone_provider.lease_body,
            None: lambda: None}[row.get('body')]()
    resp = keystone_provider.client(persona).request(
        row['method'], row['path'].format(**objects), body)
    rbac.check_cell(resp, row, persona, objects)
    if expected == 401:
        assert 'keystone.example.com' in resp.headers['WWW-Authenticate']
