"""Renters of other clouds: an identity here for each contract, and gone at its end."""

import datetime

from flocx_provider import ironic
from flocx_provider import remote_access
from tests.unit.provider import base
from tests.unit.provider import test_fulfilment

HOUR = datetime.timedelta(hours=1)
RENTER = 'cloud-b:b-proj'


class FakeRemoteAccess:
    """What flocx_provider.remote_access does in Keystone, recorded."""

    def __init__(self, enabled=True):
        self.enabled = enabled
        self.calls = []
        self.live = set()
        self.fail = None

    def grant(self, contract_uuid, renter, expires_at):
        if self.fail:
            raise remote_access.Unavailable(self.fail)
        self.calls.append(('grant', contract_uuid, renter, expires_at))
        self.live.add(contract_uuid)
        return f'local-{renter}', {
            'auth_type': 'v3applicationcredential',
            'application_credential_id': f'cred-{contract_uuid}',
            'application_credential_secret': 's3cret-' + contract_uuid,
            'expires_at': expires_at.isoformat() + '+00:00'}

    def revoke(self, contract_uuid):
        self.calls.append(('revoke', contract_uuid))
        self.live.discard(contract_uuid)


class RemoteRenterTest(base.ProviderTestCase):
    booked = test_fulfilment.FulfilmentTest.booked
    status = test_fulfilment.FulfilmentTest.status
    sweep_at = test_fulfilment.FulfilmentTest.sweep_at

    def setUp(self):
        super().setUp()
        self.clock = test_fulfilment.Clock()
        self.remote = FakeRemoteAccess()
        self.fx.services.provider.remote_access = self.remote
        self.manager = self.fx.manager(self.clock)
        self.renter = base.base.Client(self.fx.market.app,
                                       project='b-proj')
        self.renter.headers['OpenStack-Market-Cloud'] = 'cloud-b'

    def test_a_remote_renter_gets_a_local_project_and_its_credential(self):
        nodes = [self.node, self.ironic.add_node('org-a', name='a-node-1')]
        contract = self.booked(nodes, renter=RENTER)
        self.sweep_at(self.start)
        # One identity for the contract, whatever its number of nodes; the
        # nodes are lent to the project standing for the renter here.
        grants = [c for c in self.remote.calls if c[0] == 'grant']
        self.assertEqual([('grant', contract['uuid'], RENTER,
                           self.start + HOUR)], grants)
        self.assertEqual([f'local-{RENTER}'] * 2, [n.lessee for n in nodes])
        self.assertEqual('active', self.status(contract))
        # The renter, and only the renter, reads its credential.
        path = f'/v1/contracts/{contract["uuid"]}/access'
        resp = self.renter.get(path)
        self.assertEqual(200, resp.status_code, resp.body)
        self.assertEqual(f'cred-{contract["uuid"]}',
                         resp.json['access']['application_credential_id'])
        for other in (base.base.Client(self.fx.market.app, project='org-a'),
                      base.base.Client(self.fx.market.app, project='admin',
                                       roles='admin,member,reader'),
                      base.base.Client(self.fx.market.app, project='b-proj')):
            self.assertEqual(404, other.get(path).status_code)
        # Not in any event, not even the renter's own.
        events = self.market_db.list_events(None)
        self.assertNotIn('s3cret', repr(events))
        self.assertIn('contract.access',
                      [e['event_type'] for e in self.market_db.list_events(
                          RENTER)])

        # At the end the identity goes first, then the nodes come back.
        self.sweep_at(self.start + HOUR)
        revokes = [i for i, c in enumerate(self.remote.calls)
                   if c[0] == 'revoke']
        self.assertTrue(revokes)
        self.assertEqual(set(), self.remote.live)
        self.assertEqual([None, None], [n.lessee for n in nodes])
        self.assertEqual('completed', self.status(contract))
        self.assertEqual(404, self.renter.get(path).status_code)

    def test_the_credential_is_shown_only_once_the_node_is_lent(self):
        # Shown earlier, a renter that read it at once saw no node with it
        # (the two-cloud demo did, now and then).
        self.ironic.failures['lend'] = [ironic.IronicError('locked')]
        contract = self.booked(renter=RENTER)
        path = f'/v1/contracts/{contract["uuid"]}/access'
        self.sweep_at(self.start)
        self.assertIsNone(self.node.lessee)
        self.assertEqual(404, self.renter.get(path).status_code)
        self.sweep_at(self.start + datetime.timedelta(minutes=1))
        self.assertEqual(f'local-{RENTER}', self.node.lessee)
        self.assertEqual(200, self.renter.get(path).status_code)
        # One identity, made at the first try and handed after the second.
        self.assertEqual(1, len([c for c in self.remote.calls
                                 if c[0] == 'grant']))

    def test_without_remote_access_the_contract_fails_with_the_reason(self):
        self.remote.enabled = False
        contract = self.booked(renter=RENTER)
        for minutes in range(0, 30, 2):
            self.sweep_at(self.start + datetime.timedelta(minutes=minutes))
        self.assertIsNone(self.node.lessee)
        shown = self.market_db.get_contract(contract['uuid'])
        self.assertEqual('failed', shown['status'])
        self.assertIn('makes no identities', shown['status_reason'])

    def test_a_keystone_failure_is_retried(self):
        self.remote.fail = 'Keystone: 503'
        contract = self.booked(renter=RENTER)
        self.sweep_at(self.start)
        self.assertIsNone(self.node.lessee)
        self.assertEqual('scheduled', self.status(contract))
        self.remote.fail = None
        self.sweep_at(self.start + datetime.timedelta(minutes=1))
        self.assertEqual(f'local-{RENTER}', self.node.lessee)

    def test_a_home_renter_needs_no_identity(self):
        self.booked()
        self.sweep_at(self.start)
        self.assertEqual('org-b', self.node.lessee)
        self.assertEqual([], self.remote.calls)
