"""The ``openstack`` command itself, with real Keystone tokens and catalog.

The market, auction (with its engine) and provider run in one process on
loopback, as ``flocx-local`` runs them, against the session's real Keystone
and Ironic; their endpoints are put in the Keystone catalog, and every step
is the real ``openstack`` console script in a subprocess, as each
organization's user of the generated clouds.yaml.
"""

import json
import os
import pathlib
import subprocess
import sys

import pytest

from flocx_local import cli
from flocx_local import openstack as local_openstack
from flocx_local import processes

OPENSTACK = str(pathlib.Path(sys.executable).with_name('openstack'))


@pytest.fixture
def flocx_services(realstack, tmp_path):
    layout = cli.Layout(tmp_path / 'flocx')
    for path in (layout.logs, layout.pids):
        path.mkdir(parents=True)
    ports = {s: local_openstack.free_port() for s in cli.SERVICES}
    cli.write_configs(layout, realstack, ports, 'fake:/', None)
    proc = processes.spawn(
        cli.SERVE_PROCESS, [sys.executable, '-m', 'flocx_local.cli',
                            'serve', '--dir', str(layout.root)],
        layout.pids, layout.logs, env=dict(os.environ,
                                           PYTHONWARNINGS='ignore'))
    try:
        for service in cli.SERVICES:
            url = f'http://127.0.0.1:{ports[service]}'
            processes.wait_until_answering(
                service, f'{url}/healthcheck', proc, timeout=120,
                log_file=layout.logs / f'flocx-{service}.log')
            realstack.register_service(cli.SERVICE_TYPES[service], url)
        yield layout
    finally:
        processes.stop(cli.SERVE_PROCESS,
                       layout.pids / f'{cli.SERVE_PROCESS}.pid',
                       str(layout.root))


def openstack(realstack, cloud, *argv):
    """The finished ``openstack --os-cloud <cloud> <argv>`` process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith('OS_')}
    env.update(OS_CLIENT_CONFIG_FILE=str(realstack.clouds_yaml),
               PYTHONWARNINGS='ignore')
    return subprocess.run([OPENSTACK, '--os-cloud', cloud, *argv], env=env,
                          capture_output=True, text=True, timeout=120)


def ok(realstack, cloud, *argv):
    result = openstack(realstack, cloud, *argv, '-f', 'json')
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_offer_bid_round_contract(realstack, flocx_services, make_nodes):
    org_a, org_b = 'flocx-org-a-member', 'flocx-org-b-member'
    node_id, = make_nodes('org-a', 1)

    offer = ok(realstack, org_a, 'market', 'offer', 'create', '--node',
               node_id, '--start', 'now', '--end', '+4h', '--price', '1')
    assert (offer['node_uuid'], offer['status']) == (node_id, 'open')
    # One identity: the market lists the offer under the uuid the owner
    # was given.
    listed = ok(realstack, org_b, 'market', 'offer', 'list')
    assert [o['UUID'] for o in listed] == [offer['uuid']]

    # Refusals come back as the API's sentence, through keystonemiddleware.
    refused = openstack(realstack, org_b, 'market', 'bid', 'create',
                        '--start', '+1m', '--duration', '30m', '--price',
                        '-1')
    assert refused.returncode == 1
    assert 'Invalid /price: -1.0 is less than the minimum of 0 (HTTP 400' \
        in refused.stderr
    refused = openstack(realstack, 'flocx-org-c-member', 'market', 'offer',
                        'create', '--node', node_id, '--start', 'now',
                        '--end', '+4h', '--price', '1')
    assert refused.returncode == 1
    assert '(HTTP 404 Not Found' in refused.stderr, refused.stderr

    bid = ok(realstack, org_b, 'market', 'bid', 'create', '--start', '+1m',
             '--latest-start', '+10m', '--duration', '30m', '--price', '3',
             '--constraint', 'memory_mb>=8192')
    assert bid['project_id'] == realstack.project_id('org-b')
    assert bid['constraints'] == [{'property': 'memory_mb', 'op': '>=',
                                   'value': 8192}]

    # The admin clears now (the engine may also have cleared on its own).
    round_ = ok(realstack, 'flocx-admin', 'market', 'round', 'start')
    contracts = ok(realstack, org_b, 'market', 'contract', 'list', '--bid',
                   bid['uuid'])
    assert len(contracts) == 1, round_
    # The owner sees it too, with its node.
    contract = ok(realstack, org_a, 'market', 'contract', 'show',
                  contracts[0]['uuid'])
    assert contract['resource_uuids'] == [node_id]
    assert 1.0 <= contract['price'] <= 3.0
    assert ok(realstack, org_b, 'market', 'bid', 'show',
              bid['uuid'])['status'] == 'contracted'

    rounds = ok(realstack, org_b, 'market', 'round', 'list')
    assert round_['id'] in [r['id'] for r in rounds]
    prices = ok(realstack, 'flocx-org-c-member', 'market', 'price', 'list')
    assert prices, rounds
