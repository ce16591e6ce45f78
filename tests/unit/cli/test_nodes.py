"""``openstack market node list``: an owner's Ironic nodes, from the
provider, as offers of them would carry them.

The command is driven directly (parser, take_action) against the provider
test server: the shell finds commands through the installed client's entry
points, which an editable install made before this command existed lacks.
"""

import types

from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint

from flocx_cli import nodes
from flocxclient import client
from tests.unit.cli import base


class NodeListTest(base.CLITestCase):

    def list_nodes(self, *argv, project='org-a'):
        auth = token_endpoint.Token(self.urls['provider'],
                                    f'{project}:member,reader')
        flocx = client.Client(ks_session.Session(auth=auth),
                              endpoint_overrides={
                                  'provider': self.urls['provider']})
        app = types.SimpleNamespace(
            client_manager=types.SimpleNamespace(market=flocx))
        command = nodes.ListNodes(app, None)
        args = command.get_parser('openstack market node list').parse_args(
            list(argv))
        columns, rows = command.take_action(args)
        return [dict(zip(columns, row)) for row in rows]

    def test_owned_nodes_and_whether_they_can_be_offered(self):
        free = self.provider.ironic.add_node('org-a', name='a-node-0')
        self.provider.ironic.add_node('org-a', name='a-node-1',
                                      provision_state='active')
        self.provider.ironic.add_node('org-b', name='b-node-0')
        listed = self.list_nodes()
        self.assertEqual(
            [(free.id, 'a-node-0', 'baremetal', 'available', True),
             ('a-node-1', 'active', False)],
            [(n['UUID'], n['Name'], n['Resource Class'],
              n['Provision State'], n['Offerable']) for n in listed[:1]] +
            [(n['Name'], n['Provision State'], n['Offerable'])
             for n in listed[1:]])
        self.assertNotIn('Properties', listed[0])

        long = self.list_nodes('--long')
        self.assertEqual({'cpus': 16, 'memory_mb': 65536, 'local_gb': 500,
                          'cpu_arch': 'x86_64', 'traits': ['CUSTOM_GPU']},
                         long[0]['Properties'].machine_readable())
        self.assertIn("provision state is 'active'",
                      long[1]['Not Offerable Reason'])
        self.assertEqual([], self.list_nodes(project='org-c'))
