"""In-memory stand-ins for Ironic (flocx_provider.ironic) and Keystone.

``FakeIronic`` has the functions of flocx_provider.ironic with the same
arguments and raises the same exceptions; a "connection" is just the
project the provider is scoped to, and a project sees the nodes it owns or
leases, as in Ironic.
"""

import types
import uuid

from flocx_provider import clouds
from flocx_provider import ironic


def make_node(owner, name=None, **fields):
    node = types.SimpleNamespace(
        id=str(uuid.uuid4()), name=name, owner=owner, lessee=None,
        provision_state='available', power_state='power off',
        target_provision_state=None, is_maintenance=False,
        maintenance_reason=None, instance_id=None,
        resource_class='baremetal',
        properties={'cpus': 16, 'memory_mb': 65536, 'local_gb': 500,
                    'cpu_arch': 'x86_64'},
        traits=['CUSTOM_GPU'])
    for key, value in fields.items():
        setattr(node, key, value)
    return node


class FakeIronic:
    def __init__(self):
        self.nodes = {}
        # {'lend': [exception or None, ...]}: raised by the next calls.
        self.failures = {}
        self.calls = []

    def add_node(self, owner, **fields):
        node = make_node(owner, **fields)
        self.nodes[node.id] = node
        return node

    def _fail(self, what):
        queue = self.failures.get(what)
        if queue:
            error = queue.pop(0)
            if error is not None:
                raise error

    def _visible(self, project, ident):
        for node in self.nodes.values():
            if ident in (node.id, node.name) and project in (node.owner,
                                                              node.lessee):
                return node
        raise ironic.NodeNotFound(f'node {ident} not found')

    # The functions of flocx_provider.ironic

    def get_owned_node(self, conn, node_ident, project_id):
        self.calls.append(('get_owned_node', node_ident, project_id))
        self._fail('get')
        node = self._visible(conn, node_ident)
        if node.owner != project_id:
            raise ironic.NotOwner(f'node {node_ident} is not owned by '
                                  f'project {project_id}')
        return types.SimpleNamespace(**vars(node))

    def list_owned_nodes(self, conn, project_id):
        self.calls.append(('list_owned_nodes', project_id))
        self._fail('list')
        return [types.SimpleNamespace(**vars(node))
                for node in self.nodes.values()
                if node.owner == project_id and conn in (node.owner,
                                                         node.lessee)]

    def check_offerable(self, node):
        ironic.check_offerable(node)  # the real rules on the fake node

    def hardware_config(self, node):
        return ironic.hardware_config(node)

    def lend(self, conn, node_id, lessee_project_id):
        self.calls.append(('lend', node_id, lessee_project_id))
        self._fail('lend')
        node = self._visible(conn, node_id)
        node.lessee = lessee_project_id
        return node

    def reclaim(self, conn, node_id, timeout=None):
        self.calls.append(('reclaim', node_id))
        self._fail('reclaim')
        node = self._visible(conn, node_id)
        node.lessee = None
        # Whatever the renter did: undeployed, cleaned, off, available.
        node.provision_state = 'available'
        node.instance_id = None
        node.power_state = 'power off'
        return node


class FakeClouds:
    """Keystone as the provider sees it: grants and the project tree."""

    def __init__(self, parents=None, not_granted=()):
        self.parents = dict(parents or {})
        self.not_granted = set(not_granted)

    def connection(self, project_id):
        if project_id in self.not_granted:
            raise clouds.NotGranted(f'project {project_id} has not granted '
                                    'this provider\'s user a role')
        return project_id

    def is_child_project(self, parent_id, child_id):
        self.connection(parent_id)
        return self.parents.get(child_id) == parent_id
