"""``flocx-local up --clouds 2``: a renter of cloud 2 deploys a node of cloud 1.

The command as a user runs it (in this test's virtualenv, not the README's
fresh copy: that one builds a virtualenv of its own), with its demo: two real
Keystones and Ironics, the market, auction and cloud 1's provider. What the
demo says it did is checked against the clouds' own records: Ironic's log
of who deployed the node, cloud 1's Keystone (the contract's user is gone),
the market (no access any more), and cloud 2's renter token, which cloud 1's
Keystone never accepts.
"""

import json
import os
import pathlib
import re
import subprocess
import sys
import time

import pytest
import requests

from flocx_local import federation
from flocx_local import openstack as local_openstack
from tests.functional import services

FLOCX_LOCAL = [sys.executable, '-m', 'flocx_local.cli']
OPENSTACK = str(pathlib.Path(sys.executable).with_name('openstack'))
# Two clouds from the snapshot (about 10 s each, side by side), the services,
# then the demo: a 60 s contract and the provider's reclaim.
UP_TIMEOUT = 600


def _run(args, timeout):
    return subprocess.run(FLOCX_LOCAL + args, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL,
                          check=False)


@pytest.fixture(scope='module')
def two_clouds(tmp_path_factory):
    services.require_keystone_and_ironic()
    run_dir = tmp_path_factory.mktemp('two-clouds') / 'flocx'
    started = time.monotonic()
    try:
        result = _run(['up', '--clouds', '2', '--dir', str(run_dir)],
                      UP_TIMEOUT)
        print(f'up --clouds 2 with its demo took '
              f'{time.monotonic() - started:.1f} s')
        assert result.returncode == 0, result.stdout[-5000:] + result.stderr
        yield run_dir, result.stdout
    finally:
        down = _run(['down', '--dir', str(run_dir)], 120)
        print(down.stdout)


def test_a_renter_of_cloud_2_deploys_a_node_of_cloud_1(two_clouds):
    run_dir, output = two_clouds
    assert 'Demo done' in output, output
    summary = json.loads((run_dir / 'flocx-local.json').read_text())['demo']
    home = local_openstack.LocalOpenStack(run_dir / 'openstack')
    member = local_openstack.LocalOpenStack(run_dir / 'cloud-2' / 'openstack')
    assert home.auth_url != member.auth_url
    node = summary['node']

    # Each cloud has organizations of its own.
    assert set(member.state['orgs']) == {'org-d', 'org-e'}
    assert not set(member.state['projects'].values()) & set(
        home.state['projects'].values())
    # The bid was cloud 2's org-e's, as the market names a member cloud's
    # project.
    assert summary['bid_project_id'] == \
        f'{federation.MEMBER}:{member.project_id("org-e")}'
    # With the handed identity the renter saw its node and no other.
    assert summary['renter_saw'] == [node]
    assert summary['hidden_nodes'] and node not in summary['hidden_nodes']
    assert summary['deployed_state'] == 'active'

    # Ironic's own record: the deploy came from the renter's project of
    # cloud 1 (the one the provider made), not from an owner or admin.
    renter_project = summary['renter_project_id']
    assert renter_project not in home.state['projects'].values()
    ironic_log = (run_dir / 'openstack' / 'logs' / 'ironic.log').read_text()
    deploys = [line for line in ironic_log.splitlines()
               if f'Node {node} moved to provision state "deploying"' in line]
    assert deploys, 'Ironic logged no deploy of the node'
    assert all(f' {renter_project} ' in line for line in deploys), deploys
    listed = [line for line in ironic_log.splitlines()
              if re.search(r'GET /v1/nodes - 200', line)
              and f' {renter_project} ' in line]
    assert listed, 'the renter never listed cloud 1\'s nodes'

    # At the end the credential stopped working: Keystone no longer knows
    # it, a token made from it before is refused, the market shows nothing.
    assert summary['contract_status'] == 'completed'
    assert summary['credential_after_end'].startswith('NotFound'), summary
    assert summary['old_token_ironic_status'] == 401
    assert summary['access_after_end_status'] == 404
    admin = home.connect('flocx-admin')
    domain = admin.identity.find_domain('flocx-remote')
    assert admin.identity.find_user(
        f'contract-{summary["contract_uuid"]}', domain_id=domain.id) is None
    assert not list(admin.identity.role_assignments(
        scope_project_id=renter_project))


def test_cloud_1_never_takes_cloud_2_tokens(two_clouds):
    """What the rental rests on: the renter has no identity of cloud 1 but
    the handed one."""
    run_dir, _ = two_clouds
    home = local_openstack.LocalOpenStack(run_dir / 'openstack')
    member = local_openstack.LocalOpenStack(run_dir / 'cloud-2' / 'openstack')
    token = member.connect('flocx-org-e-member').session.get_token()
    resp = requests.get(f'{home.auth_url}/auth/tokens', timeout=30,
                        headers={'X-Auth-Token': token,
                                 'X-Subject-Token': token})
    assert resp.status_code == 401
    # The market takes it as cloud 2's (validated by cloud 2's Keystone),
    # and as nothing else.
    market = json.loads((run_dir / 'flocx-local.json').read_text())[
        'urls']['marketplace']
    headers = {'X-Auth-Token': token}
    assert requests.get(f'{market}/v1/bids', timeout=30, headers=dict(
        headers, **{federation.CLOUD_HEADER: federation.MEMBER})
    ).status_code == 200
    assert requests.get(f'{market}/v1/bids', timeout=30,
                        headers=headers).status_code == 401


def test_cloud_2s_own_provider_offers_in_cloud_2(two_clouds):
    """Cloud 2 runs a provider of its own, on the REST channel (its service
    user's token, validated by cloud 2's Keystone): the market places its
    offer in cloud 2, for cloud 2's project."""
    run_dir, _ = two_clouds
    state = json.loads((run_dir / 'flocx-local.json').read_text())
    home = local_openstack.LocalOpenStack(run_dir / 'openstack')
    member = local_openstack.LocalOpenStack(run_dir / 'cloud-2' / 'openstack')
    assert 'flocx-provider-cloud-2' in state['processes']
    conf = (run_dir / 'etc' / 'flocx-provider-cloud-2.conf').read_text()
    assert 'channel = rest' in conf and 'cloud = cloud-2' in conf
    # No credential of cloud 1 in cloud 2's provider: only cloud 2's
    # Keystone (its service user, and its admin for renters of cloud 1).
    assert home.auth_url not in conf and member.auth_url in conf
    assert home.password('admin') not in conf
    offer = state['demo']['member_offer']
    assert offer['cloud'] == federation.MEMBER
    assert offer['project_id'] == \
        f'{federation.MEMBER}:{member.project_id("org-d")}'
    # Cloud 2's Ironic has the node; cloud 1's does not.
    assert member.connect('flocx-admin').baremetal.get_node(offer['node'])
    assert offer['node'] not in [
        n.id for n in home.connect('flocx-admin').baremetal.nodes()]


def test_the_renter_uses_the_openstack_client_as_cloud_2s(two_clouds):
    """What ``up`` prints for cloud 2's renter: its clouds.yaml and
    ``--os-market-cloud cloud-2``. The contract is its own and over; its
    access is gone."""
    run_dir, _ = two_clouds
    summary = json.loads((run_dir / 'flocx-local.json').read_text())['demo']
    env = {k: v for k, v in os.environ.items() if not k.startswith('OS_')}
    env.update(OS_CLIENT_CONFIG_FILE=str(
        run_dir / 'cloud-2' / 'openstack' / 'clouds.yaml'),
        PYTHONWARNINGS='ignore')

    def openstack(*argv):
        return subprocess.run(
            [OPENSTACK, '--os-cloud', 'flocx-org-e-member',
             '--os-market-cloud', federation.MEMBER, 'market', *argv],
            env=env, capture_output=True, text=True, timeout=120,
            stdin=subprocess.DEVNULL, check=False)

    uuid = summary['contract_uuid']
    shown = openstack('contract', 'show', uuid, '-f', 'json')
    assert shown.returncode == 0, shown.stderr
    contract = json.loads(shown.stdout)
    assert (contract['status'], contract['project_id']) == (
        'completed', summary['bid_project_id'])
    access = openstack('contract', 'access', 'show', uuid)
    assert access.returncode != 0
    assert 'no access to show' in access.stderr, access.stderr


def test_a_bid_that_requires_cloud_2_never_gets_a_node_of_cloud_1(
        two_clouds):
    """Matching knows where nodes are: with a cheaper node of cloud 1 free,
    bids that require cloud 2 take cloud 2's node or nothing; a bid that
    requires cloud 1 shows that cloud 1's node was there to take."""
    run_dir, _ = two_clouds
    state = json.loads((run_dir / 'flocx-local.json').read_text())
    urls = state['urls']
    home = local_openstack.LocalOpenStack(run_dir / 'openstack')
    member = local_openstack.LocalOpenStack(run_dir / 'cloud-2' / 'openstack')
    cloud_2 = {federation.CLOUD_HEADER: federation.MEMBER}
    renter = member.connect(
        f'flocx-{federation.MEMBER_RENTER}-member').session
    # The demo's offer of cloud 2's only node on the market, still free
    # (the demo's bid asked for a trait of cloud 1's nodes), at 2.00.
    member_node = state['demo']['member_offer']['node']
    # A node of cloud 1 offered at 1.00: cheaper, so that a planner that
    # ignored the constraint would take it first.
    [home_node] = home.enroll_nodes('org-a', 1, name_prefix='cloud-rule')
    owner = home.connect('flocx-org-a-member').session
    resp = owner.post(f'{urls["provider"]}/v1/offers', raise_exc=False,
                      json={'node': home_node, 'start_time': _iso(0),
                            'end_time': _iso(4 * 3600), 'price': 1.0})
    assert resp.status_code == 201, resp.text

    def bid(cloud, price):
        resp = renter.post(
            f'{urls["marketplace"]}/v1/bids', headers=cloud_2,
            raise_exc=False, json={
                'quantity': 1, 'resource_class': 'baremetal',
                'constraints': [{'property': 'cloud', 'op': '==',
                                 'value': cloud}],
                'start_time': _iso(300), 'latest_start_time': _iso(300),
                'duration': 600, 'price': price})
        assert resp.status_code == 201, resp.text
        return resp.json()['uuid']

    # Both cloud-2 bids outbid the cloud-1 one: if the rule were broken,
    # the second would take cloud 1's node from it.
    first, second = bid(federation.MEMBER, 5.0), bid(federation.MEMBER, 4.0)
    control = bid(federation.HOME, 3.0)
    admin = home.connect('flocx-admin').session
    assert admin.post(f'{urls["auction"]}/v1/rounds',
                      raise_exc=False).status_code == 201

    def nodes_of(bid_uuid):
        contracts = renter.get(
            f'{urls["marketplace"]}/v1/contracts', headers=cloud_2,
            params={'bid_uuid': bid_uuid}).json()['contracts']
        return [(n['resource_uuid'], n['cloud'])
                for c in contracts for n in c['nodes']]

    assert nodes_of(first) == [(member_node, federation.MEMBER)]
    assert nodes_of(second) == []
    status = renter.get(f'{urls["marketplace"]}/v1/bids/{second}',
                        headers=cloud_2).json()['status']
    assert status != 'contracted', status
    # (Cloud 1 may have another free node at 1.00: the demo's, once its
    # contract and cleaning gap are over.)
    [(_, cloud)] = nodes_of(control)
    assert cloud == federation.HOME


def _iso(delta_seconds):
    moment = time.time() + delta_seconds
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(moment))
