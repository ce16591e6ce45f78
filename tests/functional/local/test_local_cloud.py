"""The README's first command, end to end: a whole FLOCX on loopback.

``flocx-local up`` runs in a subprocess with its own Keystone and Ironic;
the demo market then runs through the public APIs with real tokens, and the
test follows a contract from the round to the node's return.
"""

import contextlib
import datetime
import os
import subprocess
import sys
import time
import uuid

import pytest
import sqlalchemy as sa

from flocx_local import cli
from flocx_local import demo
from flocx_local import openstack as local_openstack
from tests.functional import services

FLOCX_LOCAL = [sys.executable, '-m', 'flocx_local.cli']


@pytest.fixture
def local_cloud(tmp_path, request):
    """Start flocx-local with the given extra arguments; stop it after."""
    run_dir = tmp_path / 'flocx'
    env = dict(os.environ, PYTHONWARNINGS='ignore',
               XDG_CACHE_HOME=os.environ.get(
                   'XDG_CACHE_HOME', os.path.expanduser('~/.cache')))

    def start(*extra):
        result = subprocess.run(
            FLOCX_LOCAL + ['up', '--dir', str(run_dir), '--no-demo', *extra],
            env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr
        layout = cli.Layout(run_dir)
        return (local_openstack.LocalOpenStack(layout.openstack),
                layout.state()['urls'], result.stdout)

    yield start
    subprocess.run(FLOCX_LOCAL + ['down', '--dir', str(run_dir)], env=env,
                   capture_output=True, timeout=120)


def _contract(cloud, urls, uuid):
    org_b = cloud.connect('flocx-org-b-member')
    resp = org_b.session.get(f"{urls['marketplace']}/v1/contracts/{uuid}")
    return resp.json()


def test_embedded_cloud_runs_a_contract_from_round_to_return(local_cloud):
    services.require_keystone_and_ironic()
    cloud, urls, output = local_cloud()
    assert 'FLOCX is running on loopback' in output
    result = demo.run(cloud, urls, say=lambda m: None, lease_seconds=60)
    contract = result['contract']
    node_id = contract['resource_uuids'][0]
    assert result['round']['contracts'] == 1
    assert 1.0 <= contract['price'] <= 3.0

    # At its end the owner gets the node back, cleaned; the renter loses it.
    deadline = time.monotonic() + 150
    while _contract(cloud, urls, contract['uuid'])['status'] != 'completed':
        assert time.monotonic() < deadline, _contract(cloud, urls,
                                                      contract['uuid'])
        time.sleep(1)
    end = time.time()
    org_a = cloud.connect('flocx-org-a-member')
    node = org_a.baremetal.get_node(node_id)
    assert node.lessee is None
    assert node.owner == cloud.project_id('org-a')
    assert node.provision_state == 'available'
    org_b = cloud.connect('flocx-org-b-member')
    with pytest.raises(Exception) as missing:
        org_b.baremetal.get_node(node_id)
    assert getattr(missing.value, 'status_code', None) == 404
    # Both parties were told at every step.
    for org in ('org-a', 'org-b'):
        conn = cloud.connect(f'flocx-{org}-member')
        events = conn.session.get(
            f"{urls['marketplace']}/v1/events",
            params={'object_uuid': contract['uuid']}).json()['events']
        assert [e['event_type'] for e in events] == [
            'contract.create', 'contract.start', 'contract.end'], org
    ends_at = demo_epoch(contract['end_time'])
    print(f'contract ended {end - ends_at:.1f} s after its end_time')


def test_separate_processes_over_rabbitmq_and_postgresql(local_cloud):
    services.require_keystone_and_ironic()
    admin_url = services.require('postgresql')
    rabbit = contextlib.ExitStack()
    rabbit_url = rabbit.enter_context(services.rabbit_vhost())
    name = f'flocx_local_{uuid.uuid4().hex[:8]}'
    engine = sa.create_engine(admin_url, isolation_level='AUTOCOMMIT')
    with engine.connect() as conn:
        for service in ('market', 'provider'):
            conn.execute(sa.text(f'CREATE DATABASE {name}_{service}'))
    try:
        cloud, urls, output = local_cloud(
            '--transport-url', rabbit_url,
            '--database-url',
            admin_url.rsplit('/', 1)[0] + f'/{name}_{{service}}')
        assert 'one process each, over rabbit' in output
        result = demo.run(cloud, urls, say=lambda m: None, lease_seconds=60)
        assert result['round']['contracts'] == 1
        status = subprocess.run(
            FLOCX_LOCAL + ['status', '--dir',
                           str(cloud.run_dir.parent)],
            capture_output=True, text=True, timeout=60)
        assert status.returncode == 0, status.stdout
        assert '"flocx-auction-engine"' in status.stdout
    finally:
        rabbit.close()
        with engine.connect() as conn:
            for service in ('market', 'provider'):
                conn.execute(sa.text(
                    f'DROP DATABASE IF EXISTS {name}_{service} '
                    'WITH (FORCE)'))
        engine.dispose()


def demo_epoch(text):
    return datetime.datetime.fromisoformat(text).replace(
        tzinfo=datetime.timezone.utc).timestamp()
