"""ironic.scrub: what a renter left on a node is removed at reclaim.

The real-Ironic test (tests/functional/ironic/test_provider_ironic.py)
checks instance_info, extra and the console; the local cloud's noop
network interface keeps no VIFs, so their detach is checked here against
a recording stand-in for openstacksdk's baremetal proxy.
"""

import types

from flocx_provider import ironic


class RecordingBaremetal:
    def __init__(self, vifs):
        self.vifs = list(vifs)
        self.calls = []

    def list_node_vifs(self, node_id):
        return list(self.vifs)

    def detach_vif_from_node(self, node_id, vif):
        self.calls.append(('detach', vif))
        self.vifs.remove(vif)

    def disable_node_console(self, node_id):
        self.calls.append(('console off',))

    def patch_node(self, node_id, patch):
        self.calls.append(('patch', sorted(p['path'] for p in patch)))


def node(state='available', **fields):
    values = {'id': 'node-1', 'provision_state': state,
              'is_console_enabled': False, 'extra': {},
              'instance_info': {}}
    values.update(fields)
    return types.SimpleNamespace(**values)


def scrub(baremetal, the_node):
    return ironic.scrub(types.SimpleNamespace(baremetal=baremetal), the_node)


def test_everything_the_renter_left_is_removed():
    baremetal = RecordingBaremetal(['vif-1', 'vif-2'])
    changed = scrub(baremetal, node(is_console_enabled=True,
                                    extra={'k': 'v'},
                                    instance_info={'image_source': 'x'}))
    assert changed
    assert baremetal.calls == [
        ('detach', 'vif-1'), ('detach', 'vif-2'), ('console off',),
        ('patch', ['/extra', '/instance_info'])]


def test_a_deployed_node_keeps_instance_info_for_its_tear_down():
    baremetal = RecordingBaremetal([])
    scrub(baremetal, node('active', extra={'k': 'v'},
                          instance_info={'image_source': 'x'}))
    assert baremetal.calls == [('patch', ['/extra'])]


def test_a_clean_node_is_left_alone():
    baremetal = RecordingBaremetal([])
    assert not scrub(baremetal, node())
    assert baremetal.calls == []
