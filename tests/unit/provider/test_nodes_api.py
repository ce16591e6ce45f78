"""GET /v1/nodes: what an owner could offer, with each node's hardware."""

from tests.unit.provider import base


class NodesListTest(base.ProviderTestCase):
    def test_owned_nodes_with_hardware_and_offerability(self):
        self.ironic.add_node('org-a', name='a-node-1', is_maintenance=True,
                             maintenance_reason='bad disk')
        self.ironic.add_node('org-b', name='b-node')
        resp = self.org_a.get('/v1/nodes')
        self.assertEqual(200, resp.status_code, resp.body)
        nodes = resp.json['nodes']
        self.assertEqual(['a-node-0', 'a-node-1'], [n['name'] for n in nodes])
        free, broken = nodes
        self.assertEqual(self.node.id, free['uuid'])
        self.assertEqual('baremetal', free['resource_class'])
        # Exactly what an offer of the node carries.
        self.assertEqual({'cpus': 16, 'memory_mb': 65536, 'local_gb': 500,
                          'cpu_arch': 'x86_64', 'traits': ['CUSTOM_GPU']},
                         free['properties'])
        self.assertEqual('available', free['provision_state'])
        self.assertTrue(free['offerable'])
        self.assertIsNone(free['not_offerable_reason'])
        self.assertFalse(broken['offerable'])
        self.assertTrue(broken['maintenance'])
        self.assertIn('bad disk', broken['not_offerable_reason'])

    def test_offer_of_a_listed_node_carries_its_properties(self):
        listed, = self.org_a.get('/v1/nodes').json['nodes']
        offer = self.offer(node=listed['uuid']).json
        self.assertEqual(listed['properties'], offer['properties'])
        self.assertEqual(listed['resource_class'], offer['resource_class'])

    def test_leased_node_is_not_listed_for_the_lessee(self):
        self.node.lessee = 'org-b'
        self.assertEqual([], self.org_b.get('/v1/nodes').json['nodes'])

    def test_unknown_parameter_is_400(self):
        self.assertError(self.org_a.get('/v1/nodes?owner=org-b'), 400,
                         'owner')
