"""The ``openstack`` command itself, with real Keystone tokens and catalog.

The market, auction (with its engine) and provider run in one process on
loopback, as ``flocx-local`` runs them, against the session's real Keystone
and Ironic; their endpoints are put in the Keystone catalog, and every step
is the real ``openstack`` console script in a subprocess, as each
organization's user of the generated clouds.yaml.
"""

import datetime
import decimal
import importlib.metadata
import json
import os
import pathlib
import subprocess
import sys
import uuid as uuidlib

import pytest
import yaml

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
    assert 'Invalid /price: -1 is less than the minimum of 0 (HTTP 400' \
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
                  contracts[0]['UUID'])
    assert contract['resource_uuids'] == [node_id]
    # Sealed: the owner gets its ask and never sees the renter's price.
    assert 'price' not in contract
    assert [n['price'] for n in contract['nodes']] == [1.0]
    renter_view = ok(realstack, org_b, 'market', 'contract', 'show',
                     contracts[0]['UUID'])
    assert 1.0 <= renter_view['price'] <= 3.0
    assert ok(realstack, org_b, 'market', 'bid', 'show',
              bid['uuid'])['status'] == 'contracted'

    rounds = ok(realstack, org_b, 'market', 'round', 'list')
    assert round_['id'] in [r['ID'] for r in rounds]
    prices = ok(realstack, 'flocx-org-c-member', 'market', 'price', 'list')
    assert prices, rounds


def test_every_command_against_the_real_apis(realstack, flocx_services,
                                             make_nodes):
    """Each ``openstack market`` command once at least, as a user would,
    through real Keystone tokens and catalog (issue 15)."""
    org_a, org_b = 'flocx-org-a-member', 'flocx-org-b-member'
    admin = 'flocx-admin'
    commands = {e.name.replace('_', ' ') for e in
                importlib.metadata.entry_points(group='openstack.market.v1')}
    used = set()

    def run(cloud, *argv):
        used.update(' '.join(argv[:n]) for n in (3, 4)
                    if ' '.join(argv[:n]) in commands)
        return openstack(realstack, cloud, *argv)

    def js(cloud, *argv):
        result = run(cloud, *argv, '-f', 'json')
        assert result.returncode == 0, (argv, result.stderr)
        return json.loads(result.stdout)

    def fails(cloud, *argv):
        result = run(cloud, *argv)
        assert result.returncode == 1, (argv, result.stdout)
        # One line per error, with the request id; never a traceback.
        assert 'Traceback' not in result.stderr
        assert ', request req-' in result.stderr, result.stderr
        return result.stderr

    versions = js(org_b, 'market', 'version', 'list')
    assert sorted(v['Service Type'] for v in versions) == [
        'auction', 'marketplace', 'provider']
    status = js(org_b, 'market', 'auction', 'show')
    assert status['answer_before_start'] == 43200
    mechanism = js(org_b, 'market', 'auction', 'mechanism', 'show')
    assert mechanism['name'] in [m['name'] for m in mechanism['available']]

    nodes = make_nodes('org-a', 3)
    owned = js(org_a, 'market', 'node', 'list', '--long')
    assert {n['UUID'] for n in owned} >= set(nodes)
    assert all(n['Offerable'] for n in owned if n['UUID'] in nodes), owned
    offers = [js(org_a, 'market', 'offer', 'create', '--node', node,
                 '--start', 'now', '--end', '+4h', '--price', '1.10')
              for node in nodes]
    uuid = offers[0]['uuid']
    assert offers[0]['price'] == 1.1
    mine = js(org_a, 'market', 'provider', 'offer', 'list', '--long')
    assert {(o['UUID'], o['Market Offer UUID']) for o in mine} == {
        (o['uuid'], o['uuid']) for o in offers}
    assert js(org_a, 'market', 'provider', 'offer', 'show',
              uuid)['node_uuid'] == nodes[0]

    # The market knows them by the same uuids.
    listed = js(org_b, 'market', 'offer', 'list', '--long')
    assert {o['UUID'] for o in listed} == {o['uuid'] for o in offers}
    assert {o['Provider'] for o in listed} == {'local'}
    assert js(org_b, 'market', 'offer', 'show', uuid)['resource_uuid'] == \
        nodes[0]
    # --project takes a name (looked up in Keystone by the admin).
    assert len(js(admin, 'market', 'offer', 'list', '--project',
                  'org-a')) == 3
    assert js(org_b, 'market', 'offer', 'list', '--starts-after', '+1h') \
        == []

    # Cancelled through the market: the provider lets the node be offered
    # again at once (no 409 while it catches up).
    assert run(org_a, 'market', 'offer', 'cancel', offers[1]['uuid'],
               offers[2]['uuid']).returncode == 0
    again = js(org_a, 'market', 'offer', 'create', '--node', nodes[1],
               '--start', 'now', '--end', '+4h', '--price', '2')
    assert run(org_a, 'market', 'provider', 'offer', 'cancel',
               again['uuid']).returncode == 0
    assert js(org_a, 'market', 'offer', 'show',
              again['uuid'])['status'] == 'cancelled'
    fails(org_a, 'market', 'offer', 'cancel', offers[1]['uuid'])

    # A bid, waited for until decided (the periodic round or ours).
    bid = js(org_b, 'market', 'bid', 'create', '--start', '+1m',
             '--duration', '30m', '--price', '3', '--wait',
             '--constraint', 'memory_mb>=1')
    assert bid['status'] == 'contracted', bid
    spare = js(org_b, 'market', 'bid', 'create', '--start', '+1d',
               '--duration', '1h', '--price', '0.5', '--decide-by', '+1h')
    long_bids = js(org_b, 'market', 'bid', 'list', '--long')
    assert {b['UUID'] for b in long_bids} == {bid['uuid'], spare['uuid']}
    assert js(org_b, 'market', 'bid', 'show', spare['uuid'])['status'] == \
        'open'
    assert run(org_b, 'market', 'bid', 'cancel', spare['uuid']).returncode \
        == 0
    fails(org_b, 'market', 'bid', 'cancel', spare['uuid'])

    contract, = js(org_b, 'market', 'contract', 'list', '--bid', bid['uuid'],
                   '--long')
    assert contract['Nodes'][0]['offer_uuid'] == uuid
    shown = js(org_a, 'market', 'contract', 'show', contract['UUID'])
    assert shown['offer_uuids'] == [uuid]

    events = run(org_b, 'market', 'event', 'list', '--object', spare['uuid'])
    assert events.returncode == 0 and 'bid.cancel' in events.stdout
    assert '=,' not in events.stdout and ', ,' not in events.stdout

    # The admin's round right after: the bids were already taken.
    started = run(admin, 'market', 'round', 'start', '-f', 'json')
    assert started.returncode == 0, started.stderr
    round_ = json.loads(started.stdout)
    if not round_['bids_in']:
        assert 'No bid was waiting' in started.stderr
    rounds = js(org_b, 'market', 'round', 'list', '--long')
    assert round_['id'] in [r['ID'] for r in rounds]
    table = run(admin, 'market', 'round', 'show', round_['id'])
    assert table.returncode == 0
    assert '=,' not in table.stdout and ', ,' not in table.stdout
    assert js(org_b, 'market', 'price', 'list')
    assert js(org_b, 'market', 'price', 'list', '--depth') is not None

    # Leases: within an organization only; the demo orgs have no child
    # projects, so the provider refuses, in one line.
    assert '(HTTP 403 Forbidden' in fails(
        'flocx-org-a-manager', 'market', 'lease', 'create', '--node',
        nodes[2], '--lessee', 'org-b', '--start', '+1h', '--end', '+2h')
    assert js(org_a, 'market', 'lease', 'list', '--long') == []
    fails(org_a, 'market', 'lease', 'show', uuid)
    fails(org_a, 'market', 'lease', 'cancel', uuid)

    # Every output format.
    out = run(org_b, 'market', 'offer', 'list', '-f', 'yaml').stdout
    assert {o['UUID'] for o in yaml.safe_load(out)} == {uuid}
    out = run(org_b, 'market', 'offer', 'list', '-f', 'csv').stdout
    assert out.splitlines()[0].startswith('"UUID","Project ID"')
    out = run(org_b, 'market', 'offer', 'list', '-f', 'value', '-c',
              'UUID').stdout
    assert out.split() == [uuid]

    # What providers do, by hand (admin): an offer straight on the market.
    published = js(admin, 'market', 'offer', 'publish', '--project', 'org-c',
                   '--resource-uuid', str(uuidlib.uuid4()),
                   '--resource-class', 'baremetal', '--property', 'cpus=8',
                   '--start', 'now', '--end', '+1h', '--price', '0.75')
    assert (published['project_id'], published['properties']) == (
        realstack.project_id('org-c'), {'cpus': 8, 'cloud': 'home'})
    assert run(admin, 'market', 'offer', 'cancel',
               published['uuid']).returncode == 0

    # A contract's life (microversion 1.1). The owner sees when its node
    # is booked; the renter extends the contract, then returns it before
    # it starts (nothing to pay); the owner can no longer revoke it, and
    # withdraws the unsold rest of its offer.
    calendar = js(org_a, 'market', 'offer', 'availability', 'show', uuid)
    assert [b['contract_uuid'] for b in calendar['booked']] == [
        contract['UUID']]
    fails(org_b, 'market', 'offer', 'availability', 'show', uuid)
    extended = js(org_b, 'market', 'contract', 'extend', contract['UUID'],
                  '--end', '+2h')
    assert extended['end_time'] > shown['end_time']
    returned = js(org_b, 'market', 'contract', 'return', contract['UUID'])
    # (Cancelled if it had not started yet, completed if it had.)
    assert returned['status'] in ('cancelled', 'completed'), returned
    assert [n['end_kind'] for n in returned['nodes']] == ['returned']
    assert '(HTTP 409 Conflict' in fails(
        org_a, 'market', 'contract', 'revoke', contract['UUID'], '--reason',
        'maintenance')
    # The renter is of the nodes' own cloud: no credential to show.
    assert '(HTTP 404 Not Found' in fails(
        org_b, 'market', 'contract', 'access', 'show', contract['UUID'])
    assert run(org_a, 'market', 'offer', 'withdraw', uuid, '--reason',
               'needed back').returncode == 0
    assert js(org_a, 'market', 'offer', 'show', uuid)['status'] == \
        'withdrawn'
    # (Renters see open offers only.)
    fails(org_b, 'market', 'offer', 'show', uuid)
    statement = js(org_b, 'market', 'statement', 'show')
    assert statement['period'] == datetime.datetime.now(
        datetime.timezone.utc).strftime('%Y-%m')
    # Day by day (marketplace 1.4, the client's default): the returned
    # contract's hold and refund are in the month's days, which add up to
    # its per-contract lines, as exact decimal strings.
    days = js(org_b, 'market', 'statement', 'show', '--days')
    assert days and [d['Date'] for d in days] == sorted(
        d['date'] for d in statement['days'])
    for column, field in (('Paid', 'paid'), ('Refunds', 'refunds'),
                          ('Fees', 'fees')):
        assert all(isinstance(d[column], str) for d in days), days
        assert sum(decimal.Decimal(d[column]) for d in days) == sum(
            decimal.Decimal(c[field]) for c in statement['contracts'])
    assert sum(decimal.Decimal(d['Refunds']) for d in days) > 0
    csv_days = run(org_b, 'market', 'statement', 'show', '--days', '-f',
                   'csv')
    assert csv_days.returncode == 0, csv_days.stderr
    assert csv_days.stdout.splitlines()[0] == \
        '"Date","Paid","Refunds","Fees","Earned"'
    assert js(org_b, 'market', 'reliability', 'list') is not None

    # Clouds and organizations: the market's admin registers them; every
    # party reads the clouds.
    cloud = js(admin, 'market', 'cloud', 'create', 'walk-east',
               '--keystone-url', 'https://keystone.east.example/v3',
               '--site', 'east')
    assert cloud['keystone_url'] == 'https://keystone.east.example/v3'
    assert 'walk-east' in {c['Name'] for c in js(org_b, 'market', 'cloud',
                                                  'list')}
    assert js(org_b, 'market', 'cloud', 'show', 'walk-east')['site'] == \
        'east'
    assert '(HTTP 403 Forbidden' in fails(
        org_b, 'market', 'cloud', 'create', 'walk-west', '--keystone-url',
        'https://keystone.west.example/v3')
    org = js(admin, 'market', 'organization', 'create', 'walk-org')
    member = js(admin, 'market', 'organization', 'project', 'add',
                'walk-org', '--cloud', 'walk-east', '--project', 'p-east-1')
    assert {'cloud': 'walk-east', 'project_id': 'p-east-1'} in \
        member['projects']
    assert org['uuid'] in {o['UUID'] for o in js(
        admin, 'market', 'organization', 'list')}
    assert js(admin, 'market', 'organization', 'show',
              org['uuid'])['name'] == 'walk-org'
    assert run(admin, 'market', 'organization', 'project', 'remove',
               'walk-org', '--cloud', 'walk-east', '--project',
               'p-east-1').returncode == 0
    assert run(admin, 'market', 'organization', 'delete',
               'walk-org').returncode == 0
    assert run(admin, 'market', 'cloud', 'delete',
               'walk-east').returncode == 0
    fails(org_b, 'market', 'cloud', 'show', 'walk-east')

    assert commands - used == set()
