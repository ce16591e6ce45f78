"""Faults under load, each scripted: the stack must recover by itself.

* the leading auction engine SIGKILLed in the middle of rounds (a big book
  keeps every round busy for seconds), three times, each at a random moment;
* RabbitMQ stopped and started again under load;
* the database server (PostgreSQL, MariaDB) stopped and started again under
  load;
* the provider manager SIGKILLed while it lends a node at a contract's
  start and again while it takes the node back at its end (real Keystone
  and Ironic through flocx-local).

Afterwards: every order answered 201 is in the database, no contract is
duplicated, no node-hour sold twice, and a new bid still gets a contract
without any manual step. Figures: faults injected and recovery times.

The servers stopped here are private ones started for the test alone
(``own_servers``, tests/servers.py); no server of the machine is touched.
"""

import concurrent.futures
import contextlib
import datetime
import os
import random
import signal
import subprocess
import sys
import time
import uuid

import pytest
import sqlalchemy as sa

from flocx_local import cli
from flocx_local import openstack as local_openstack
from flocx_local import processes
from tests.functional import services
from tests.hardening import conftest
from tests.hardening import stack as stack_mod

HOUR = datetime.timedelta(hours=1)

# The bounds on what clients see while a server is down, per restart (20
# writers, about 3 s down). RabbitMQ: the market writes orders to the
# database and only talks to the engines over RabbitMQ, so an outage must
# cost no request at all. A database: every request that needs it while it
# is down may fail, with a 503 (the API knows its database is gone; never a
# 500 or a dropped connection), at most 3 per writer and second of the
# outage plus 5 s (measured: PostgreSQL 2.0 -- each 503 comes at once and
# the writer sends its next order --, MariaDB 0.2), and none later than 5 s
# after it is back.
RABBITMQ_OUTAGE_FAILURES = 0
DATABASE_OUTAGE_FAILURES_PER_WRITER_SECOND = 3
DATABASE_LATE_FAILURES = 0


def _after_fault(stack, answers, since, numbers, title):
    """The common checks once the load stopped; prints the figures."""
    settled = stack.wait_until_answered(timeout=90)
    numbers['until every due bid was answered (s)'] = settled
    numbers['new offer+bid -> contract (s)'] = stack.probe(timeout=90)
    problems = stack_mod.check_invariants(stack.db, answers)
    numbers.update(stack_mod.figures(stack.db, answers, since))
    numbers.update({k: len(v) for k, v in problems.items()})
    alive = {name: stack.pid(name) is not None for name in stack.names}
    numbers['services still running'] = sum(alive.values())
    stack_mod.print_report(title, numbers)
    assert all(alive.values()), alive
    assert not any(problems.values()), {k: v[:5] for k, v in
                                        problems.items() if v}
    assert numbers['new offer+bid -> contract (s)'] is not None, \
        'no contract for a new bid after the fault'
    return numbers


def _big_book(stack, offers=30, bids=60):
    """Far-future orders: planned in every round, due in none, so every
    round of the leader is busy for a while."""
    t0 = stack_mod.utcnow() + 3 * 24 * HOUR
    rng = random.Random(3)

    def offer(n):
        return stack.offer(str(uuid.uuid4()), f'book-owner-{n % 7}',
                           stack_mod.utcnow(), t0 + 2 * 24 * HOUR,
                           price=round(rng.uniform(0.5, 2), 2))[0]

    def bid(n):
        start = t0 + datetime.timedelta(minutes=rng.randrange(0, 24 * 60))
        return stack.bid(f'book-renter-{n % 11}', start, start + 6 * HOUR,
                         rng.choice((3600, 7200, 14400)),
                         price=round(rng.uniform(1, 5), 2),
                         quantity=rng.choice((1, 1, 2, 3)))[0]

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(offer, range(offers)))
        statuses += list(pool.map(bid, range(bids)))
    assert statuses.count(201) == offers + bids, statuses


def test_leader_killed_in_the_middle_of_rounds(make_stack):
    conftest.require_servers('postgresql')
    stack = make_stack('postgresql', round_interval=0.5)
    _big_book(stack)
    since = stack_mod.utcnow()
    answers = stack_mod.Answers()
    kills = []
    with stack_mod.Background(stack, answers, count=5, seconds=300):
        time.sleep(3)
        for _ in range(3):
            leader = stack.leader()
            assert leader, 'no engine leads'
            other = next(n for n in stack.engine_names() if n != leader)
            # A random moment; the CPU the leader burns in the 0.2 s just
            # before tells whether it was clearing a round then.
            time.sleep(random.uniform(0.5, 3.0))
            pid = stack.pid(leader)
            cpu = stack_mod.cpu_seconds(pid)
            time.sleep(0.2)
            busy = stack_mod.cpu_seconds(pid) - cpu
            killed_at, wall = time.monotonic(), stack_mod.utcnow()
            stack.kill(leader)
            host = other.replace('flocx-auction-', '')
            leads = _wait(lambda: stack.leader() == other and
                          time.monotonic() - killed_at, 60)
            first_round = _wait(lambda: stack.rounds_since(wall, host=host)
                                and time.monotonic() - killed_at, 120)
            kills.append({'killed': leader, 'busy': busy, 'leads': leads,
                          'round': first_round})
            assert leads is not None, f'{other} never took the lead'
            assert first_round is not None, f'{other} never cleared a round'
            # As systemd would: the killed engine comes back, as follower.
            stack.spawn(leader)
            time.sleep(2)
    unrecorded = stack.db.scalar(
        'SELECT count(*) FROM contracts WHERE round_id IS NOT NULL AND '
        'round_id NOT IN (SELECT uuid FROM rounds)')
    numbers = {'faults injected (SIGKILL of the leader)': len(kills)}
    for n, kill in enumerate(kills, 1):
        numbers[f'kill {n}: leader busy (CPU s in last 0.2 s)'] = \
            kill['busy']
        numbers[f'kill {n}: kill -> other engine leads (s)'] = kill['leads']
        numbers[f'kill {n}: kill -> its first round recorded (s)'] = \
            kill['round']
    numbers['contracts of rounds killed before recording'] = unrecorded
    durations = [r['duration_ms'] for r in stack.rounds_since(since)]
    numbers['rounds, mean duration (ms)'] = \
        f'{len(durations)}, {sum(durations) / max(1, len(durations)):.0f}'
    _after_fault(stack, answers, since, numbers,
                 'leading auction engine SIGKILLed mid-round')


WRITERS = 20


def test_rabbitmq_restarted_under_load(own_servers, make_stack):
    rabbit = own_servers('rabbitmq')['rabbitmq']
    stack = make_stack('postgresql', mechanism='fcfs',
                       servers={'rabbitmq': rabbit})
    since = stack_mod.utcnow()
    answers = stack_mod.Answers()
    numbers = {'faults injected (RabbitMQ stop + start)': 1}
    try:
        with stack_mod.Background(stack, answers, count=WRITERS,
                                  seconds=120):
            time.sleep(5)
            down = time.monotonic()
            rabbit.stop()
            time.sleep(3)
            rabbit.start()
            up = time.monotonic()
            numbers['RabbitMQ down (s)'] = up - down
            numbers['first order accepted after it is back (s)'] = \
                _wait(lambda: answers.first_success_after(up), 120)
            wall = stack_mod.utcnow()
            numbers['first round recorded after it is back (s)'] = _wait(
                lambda: stack.rounds_since(wall) and
                (time.monotonic() - up), 120)
            time.sleep(5)
            numbers['5xx or no answer during the outage'] = \
                answers.failures_between(down, up + 5)
    finally:
        if not rabbit.running:
            rabbit.start()
    numbers = _after_fault(stack, answers, since, numbers,
                           'RabbitMQ restarted under load')
    assert numbers['5xx or no answer during the outage'] <= \
        RABBITMQ_OUTAGE_FAILURES, numbers
    # Nor before or after it.
    assert not answers.errors, answers.errors[:10]


@pytest.mark.parametrize('server', ['postgresql', 'mariadb'])
def test_database_restarted_under_load(server, own_servers, make_stack):
    database = own_servers(server)[server]
    stack = make_stack(server, mechanism='fcfs',
                       servers={server: database})
    since = stack_mod.utcnow()
    answers = stack_mod.Answers()
    numbers = {f'faults injected ({server} stop + start)': 1}
    try:
        with stack_mod.Background(stack, answers, count=WRITERS,
                                  seconds=120):
            time.sleep(5)
            down = time.monotonic()
            database.stop()
            time.sleep(3)
            database.start()
            up = time.monotonic()
            numbers[f'{server} down (s)'] = up - down
            numbers['first order accepted after it is back (s)'] = \
                _wait(lambda: answers.first_success_after(up), 120)
            wall = stack_mod.utcnow()
            numbers['first round recorded after it is back (s)'] = _wait(
                lambda: stack.rounds_since(wall) and
                (time.monotonic() - up), 120)
            time.sleep(5)
            numbers['5xx or no answer during the outage'] = \
                answers.failures_between(down, up + 5)
            numbers['5xx or no answer later than 5 s after'] = \
                answers.failures_between(up + 5, time.monotonic() + 3600)
    finally:
        if not database.running:
            database.start()
    numbers = _after_fault(stack, answers, since, numbers,
                           f'{server} restarted under load')
    bound = DATABASE_OUTAGE_FAILURES_PER_WRITER_SECOND * WRITERS * \
        (numbers[f'{server} down (s)'] + 5)
    numbers['bound on 5xx or no answer during the outage'] = bound
    assert numbers['5xx or no answer during the outage'] <= bound, numbers
    assert {e[2] for e in answers.errors} <= {503}, answers.errors[:10]
    assert numbers['5xx or no answer later than 5 s after'] <= \
        DATABASE_LATE_FAILURES, numbers


def _wait(value, timeout):
    """Poll ``value()`` until it is not None/False; None on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = value()
        if result:
            return result
        time.sleep(0.1)
    return None


# The provider manager, with a real Keystone and Ironic (flocx-local)

FLOCX_LOCAL = [sys.executable, '-m', 'flocx_local.cli']


def test_provider_manager_killed_while_it_carries_out_a_contract(tmp_path):
    services.require_keystone_and_ironic()
    conftest.require_servers('postgresql')
    postgresql_url = services.require('postgresql')
    redis_url = services.require('redis')
    admin = sa.create_engine(postgresql_url, isolation_level='AUTOCOMMIT')
    vhost = contextlib.ExitStack()
    rabbit_url = vhost.enter_context(services.rabbit_vhost())
    name = f'flocx_hardening_{uuid.uuid4().hex[:8]}'
    with admin.connect() as conn:
        for service in ('market', 'provider'):
            conn.exec_driver_sql(f'CREATE DATABASE {name}_{service}')
    run_dir = tmp_path / 'flocx'
    env = dict(os.environ, PYTHONWARNINGS='ignore',
               XDG_CACHE_HOME=os.environ.get(
                   'XDG_CACHE_HOME', os.path.expanduser('~/.cache')))
    try:
        result = subprocess.run(FLOCX_LOCAL + [
            'up', '--dir', str(run_dir), '--no-demo',
            '--transport-url', rabbit_url,
            '--database-url',
            postgresql_url.rsplit('/', 1)[0] + f'/{name}_{{service}}',
            '--api-workers', '3', '--engines', '2',
            '--coordination-url',
            f'{redis_url}?timeout=3&namespace={name}',
            '--round-interval', '1'],
            env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr
        _provider_kills(cli.Layout(run_dir), name, postgresql_url)
    finally:
        subprocess.run(FLOCX_LOCAL + ['down', '--dir', str(run_dir)],
                       env=env, capture_output=True, timeout=180)
        with admin.connect() as conn:
            for service in ('market', 'provider'):
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS '
                                     f'{name}_{service} WITH (FORCE)')
        admin.dispose()
        vhost.close()


def _provider_kills(layout, name, postgresql_url):
    urls = layout.state()['urls']
    market, provider = urls['marketplace'], urls['provider']
    cloud = local_openstack.LocalOpenStack(layout.openstack)
    org_a = cloud.connect('flocx-org-a-member')
    org_b = cloud.connect('flocx-org-b-member')
    org_b_project = cloud.project_id('org-b')
    provider_db = sa.create_engine(postgresql_url.rsplit('/', 1)[0]
                                   + f'/{name}_provider')
    manager = 'flocx-provider-manager'

    def call(session, method, url, **kwargs):
        resp = session.request(url, method, raise_exc=False, **kwargs)
        assert resp.status_code < 400, (url, resp.status_code, resp.text)
        return resp.json() if resp.content else None

    def contract_of(bid_uuid):
        found = call(org_b.session, 'GET', f'{market}/v1/contracts',
                     params={'bid_uuid': bid_uuid})['contracts']
        return found[0] if found else None

    def fulfilment_states():
        with provider_db.connect() as conn:
            return [r[0] for r in conn.exec_driver_sql(
                'SELECT state FROM fulfilments ORDER BY id')]

    def kill_manager():
        pid = processes.running_pid(layout.pids / f'{manager}.pid',
                                    str(layout.root))
        os.killpg(pid, signal.SIGKILL)
        time.sleep(0.2)
        return pid

    def restart_manager():
        proc = cli._spawn(layout, manager, manager, 'provider')
        return time.monotonic(), proc

    def wait_for(what, check, timeout, interval=0.2):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = check()
            if value:
                return value
            time.sleep(interval)
        raise AssertionError(f'{what} not after {timeout} s')

    # Ironic's own database, read directly: a millisecond per look, so that
    # a kill lands right after Ironic changed, inside the manager's step.
    ironic_db = sa.create_engine(
        'sqlite:///' + str(next(layout.openstack.rglob('ironic.db'))))

    def ironic_node():
        try:
            with ironic_db.connect() as conn:
                return tuple(conn.exec_driver_sql(
                    'SELECT lessee, provision_state FROM nodes WHERE '
                    'uuid = ?', (node_id,)).first())
        except sa.exc.OperationalError:   # locked while Ironic writes
            return ('?', '?')

    node_id = cloud.enroll_nodes('org-a', 1,
                                 name_prefix=f'hardening-{int(time.time())}')[0]
    now = stack_mod.utcnow()
    call(org_a.session, 'POST', f'{provider}/v1/offers', json={
        'node': node_id, 'start_time': stack_mod.iso(now),
        'end_time': stack_mod.iso(now + 2 * HOUR), 'price': 1.0})
    start = now + datetime.timedelta(seconds=20)
    bid = call(org_b.session, 'POST', f'{market}/v1/bids', json={
        'quantity': 1, 'resource_class': 'baremetal',
        'start_time': stack_mod.iso(start),
        'latest_start_time': stack_mod.iso(start + HOUR),
        'duration': 60, 'price': 3.0})
    contract = wait_for('a contract', lambda: contract_of(bid['uuid']), 60)
    wait_for('the provider to record the contract', fulfilment_states, 60)
    numbers = {'faults injected (SIGKILL of the provider manager)': 2}

    # 1: killed the moment Ironic shows the lessee: the lend is done in
    # Ironic, the manager has not recorded it yet (or just has).
    wait_for('the lend', lambda: ironic_node()[0] == org_b_project, 60,
             interval=0.002)
    kill_manager()
    numbers['kill 1 at the lend: fulfilment record'] = \
        ','.join(fulfilment_states())
    numbers['kill 1 at the lend: market contract'] = \
        contract_of(bid['uuid'])['status']
    time.sleep(3)
    restarted, _ = restart_manager()
    wait_for('the contract to start', lambda: contract_of(
        bid['uuid'])['status'] == 'active', 120)
    numbers['kill 1: restart -> contract active (s)'] = \
        time.monotonic() - restarted
    assert org_b.baremetal.get_node(node_id).lessee == org_b_project
    # The renter deploys the node: taking it back then means undeploying
    # and cleaning it, which takes a while.
    org_b.baremetal.set_node_provision_state(node_id, 'active', wait=True,
                                             timeout=60)

    # 2: killed the moment the manager unsets the lessee at the end: in the
    # middle of the reclaim (undeploy, clean, power off).
    contract = contract_of(bid['uuid'])
    wait_for('the reclaim', lambda: ironic_node()[0] is None, 120,
             interval=0.002)
    kill_manager()
    numbers['kill 2 mid-reclaim: node provision state'] = ironic_node()[1]
    numbers['kill 2 mid-reclaim: fulfilment record'] = \
        ','.join(fulfilment_states())
    time.sleep(3)
    restarted, _ = restart_manager()
    wait_for('the contract to complete', lambda: contract_of(
        bid['uuid'])['status'] == 'completed', 180)
    numbers['kill 2: restart -> contract completed (s)'] = \
        time.monotonic() - restarted
    node = org_a.baremetal.get_node(node_id)
    assert node.lessee is None
    assert node.owner == cloud.project_id('org-a')
    assert node.provision_state == 'available'
    assert fulfilment_states() == ['reclaimed']
    events = call(org_b.session, 'GET', f'{market}/v1/events',
                  params={'object_uuid': contract['uuid']})['events']
    kinds = [e['event_type'] for e in events]
    # The contract is shorter than [market] before_end_warning: its
    # warning comes as soon as the market sees it, before or after start.
    assert (kinds[0], sorted(kinds[1:3]), kinds[3:]) == (
        'contract.create', ['contract.before_end', 'contract.start'],
        ['contract.end']), kinds

    # After the faults a new bid still gets a contract on the same node.
    began = time.monotonic()
    start = stack_mod.utcnow() + datetime.timedelta(seconds=30)
    again = call(org_b.session, 'POST', f'{market}/v1/bids', json={
        'quantity': 1, 'resource_class': 'baremetal',
        'start_time': stack_mod.iso(start),
        'latest_start_time': stack_mod.iso(start + HOUR),
        'duration': 60, 'price': 3.0})
    wait_for('a contract for a new bid', lambda: contract_of(again['uuid']),
             60)
    numbers['new bid -> contract after the faults (s)'] = \
        time.monotonic() - began
    ironic_db.dispose()
    with sa.create_engine(postgresql_url.rsplit('/', 1)[0] +
                          f'/{name}_market').connect() as conn:
        numbers['contracts in the market'] = conn.exec_driver_sql(
            'SELECT count(*) FROM contracts').scalar()
        numbers['bids in two contracts'] = conn.exec_driver_sql(
            'SELECT count(*) FROM (SELECT bid_uuid FROM contracts GROUP BY '
            'bid_uuid HAVING count(*) > 1) x').scalar()
    provider_db.dispose()
    stack_mod.print_report('provider manager SIGKILLed during a contract',
                           numbers)
    assert numbers['bids in two contracts'] == 0
