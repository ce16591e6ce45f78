"""FLOCX's Ironic policy overrides (ironic_patches/policy.yaml) against a real Ironic.

Each override is shown doing its job, and shown needed: the same request is
refused under Ironic's default policy (the ``ironic_default_policy`` fixture).
"""
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from openstack import exceptions

from flocx_provider import ironic

PATCHES = Path(__file__).resolve().parents[3] / 'ironic_patches' / 'policy.yaml'


@pytest.fixture
def leased_node(realstack, make_nodes):
    """A node of org-a leased to org-b (set by org-a's member, as Ironic allows)."""
    node_id, = make_nodes('org-a')
    realstack.connect('flocx-org-a-member').baremetal.update_node(
        node_id, lessee=realstack.project_id('org-b'))
    return node_id


def deploy_and_undeploy(conn, node_id):
    conn.baremetal.set_node_provision_state(node_id, 'active')
    ironic.wait_for_provision_state(conn, [node_id], 'active', timeout=30)
    conn.baremetal.set_node_provision_state(node_id, 'deleted')
    ironic.wait_for_provision_state(conn, [node_id], 'available', timeout=30)


def test_lessee_member_may_deploy_and_undeploy(realstack, leased_node):
    deploy_and_undeploy(realstack.connect('flocx-org-b-member'), leased_node)


def test_lessee_member_may_not_deploy_by_default(
        realstack, leased_node, ironic_default_policy):
    member = realstack.connect('flocx-org-b-member')
    with pytest.raises(exceptions.ForbiddenException):
        member.baremetal.set_node_provision_state(leased_node, 'active')
    # What the default asks for instead: the lessee's manager.
    deploy_and_undeploy(realstack.connect('flocx-org-b-manager'), leased_node)


def test_lessee_member_may_set_instance_info(realstack, leased_node):
    member = realstack.connect('flocx-org-b-member')
    node = member.baremetal.patch_node(leased_node, [
        {'op': 'add', 'path': '/instance_info/image_source',
         'value': 'http://images.example/renter.qcow2'}])
    assert node.instance_info['image_source'].endswith('renter.qcow2')


def test_lessee_member_may_not_set_instance_info_by_default(
        realstack, leased_node, ironic_default_policy):
    member = realstack.connect('flocx-org-b-member')
    with pytest.raises(exceptions.ForbiddenException):
        member.baremetal.patch_node(leased_node, [
            {'op': 'add', 'path': '/instance_info/image_source',
             'value': 'http://images.example/renter.qcow2'}])


def test_owner_service_may_set_power_state(realstack, leased_node):
    provider = realstack.connect('flocx-service-org-a')
    # (openstacksdk's wait=True would poll every 2 s.)
    provider.baremetal.set_node_power_state(leased_node, 'power on')
    ironic.wait_for_power_state(provider, leased_node, 'power on', timeout=30)
    provider.baremetal.set_node_power_state(leased_node, 'power off')
    ironic.wait_for_power_state(provider, leased_node, 'power off',
                                timeout=30)


def test_owner_service_may_not_set_power_state_by_default(
        realstack, leased_node, ironic_default_policy):
    provider = realstack.connect('flocx-service-org-a')
    with pytest.raises(exceptions.ForbiddenException):
        provider.baremetal.set_node_power_state(leased_node, 'power off')


def test_owner_service_may_clear_extra(realstack, leased_node):
    realstack.connect('flocx-org-b-member').baremetal.patch_node(
        leased_node, [{'op': 'add', 'path': '/extra/renter', 'value': 'x'}])
    provider = realstack.connect('flocx-service-org-a')
    provider.baremetal.patch_node(
        leased_node, [{'op': 'replace', 'path': '/extra', 'value': {}}])
    assert provider.baremetal.get_node(leased_node).extra == {}


def test_owner_service_may_not_clear_extra_by_default(
        realstack, leased_node, ironic_default_policy):
    provider = realstack.connect('flocx-service-org-a')
    with pytest.raises(exceptions.ForbiddenException):
        provider.baremetal.patch_node(
            leased_node, [{'op': 'replace', 'path': '/extra', 'value': {}}])


def test_overrides_reach_no_other_project(realstack, leased_node):
    # A member of a third organization still cannot see the node at all.
    with pytest.raises(exceptions.NotFoundException):
        realstack.connect('flocx-org-c-member').baremetal \
            .set_node_provision_state(leased_node, 'active')
    # The service role counts only on the owner's project, not the lessee's.
    with pytest.raises(exceptions.NotFoundException):
        realstack.connect('flocx-service-org-b').baremetal \
            .set_node_power_state(leased_node, 'power off')
    # The flocx user in the service project has no elevated access
    # (rbac_service_role_elevated_access stays off).
    service = realstack.connect('flocx-service')
    assert leased_node not in [n.id for n in service.baremetal.nodes()]
    with pytest.raises(exceptions.NotFoundException):
        service.baremetal.get_node(leased_node)


def test_each_override_is_ironic_default_or_one_flocx_rule():
    """Overrides only widen Ironic's defaults.

    An Ironic upgrade that changes a default fails here.
    """
    overrides = yaml.safe_load(PATCHES.read_text())
    # In a subprocess: Ironic registers its options on the global CONF.
    dump_defaults = ('import json; from ironic.common import policy; '
                     'print(json.dumps({r.name: r.check_str '
                     'for r in policy.list_policies()}))')
    defaults = json.loads(subprocess.run(
        [sys.executable, '-c', dump_defaults], check=True,
        capture_output=True, text=True, timeout=120).stdout)
    flocx_rules = {name for name in overrides if name.startswith('flocx_')}
    assert flocx_rules == {'flocx_lessee_member', 'flocx_owner_service'}
    for name, check in overrides.items():
        if name in flocx_rules:
            continue
        default, _, extra = check.rpartition(' or ')
        assert default == defaults[name], name
        assert extra.removeprefix('rule:') in flocx_rules, name
