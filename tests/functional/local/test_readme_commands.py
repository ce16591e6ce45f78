"""The README's own commands, run as a new user would, in a fresh copy.

The tracked (and new, not ignored) files of this checkout are copied into a
temporary directory that becomes a git repository of its own (pbr needs
one), and README.rst's commands run there with bash: ``tools/flocx-local.sh
up`` (which builds the copy's own .venv-flocx, once for both shapes), the
walk-through of "What a user can do" (with the node ``up`` prints), and
``tools/flocx-local.sh down``. First in the embedded shape, then in the
README's deployment shape over RabbitMQ and PostgreSQL.
"""

import os
import pathlib
import re
import shlex
import shutil
import subprocess
import time
import uuid

import pytest
import sqlalchemy as sa

from tests import servers
from tests.functional import services

ROOT = pathlib.Path(__file__).resolve().parents[3]
README = ROOT / 'README.rst'
UUID = r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'
# A first run builds the virtualenv (about a minute; more on a loaded
# machine) before it starts the cloud.
UP_TIMEOUT = 900
# `down` stops every process in under 5 s (3 s on an idle 2-core machine),
# by its own clock ("FLOCX stopped in N s"); the command as a whole, with
# its Python start-up on a loaded machine, in under 8 s. Neither leaves room
# for a process waiting out a timeout (10 s) or being killed.
STOP_BOUND_S = 5
DOWN_BOUND_S = 8


def literal_block(after):
    """The literal block (``::``) of README.rst that follows the text ``after``."""
    text = README.read_text()
    start = text.index('::\n', text.index(after)) + 3
    lines = []
    for line in text[start:].splitlines():
        if line and not line.startswith(' '):
            break
        lines.append(line[4:])
    return '\n'.join(lines).strip()


def commands(block):
    """The block's commands: continuation lines joined, comments dropped."""
    joined = block.replace('\\\n', ' ')
    return [' '.join(line.split()) for line in joined.splitlines()
            if line.strip() and not line.strip().startswith('#')]


def clean_env():
    """The environment of a user's shell: not the test's virtualenv."""
    env = {k: v for k, v in os.environ.items()
           if k not in ('VIRTUAL_ENV', 'PYTHONPATH', 'PYTHONHOME',
                        'FLOCX_VENV', 'FLOCX_LOCAL_DIR',
                        'OS_CLIENT_CONFIG_FILE', 'OS_CLOUD')}
    venv_bin = os.environ.get('VIRTUAL_ENV')
    if venv_bin:
        env['PATH'] = os.pathsep.join(
            p for p in env.get('PATH', '').split(os.pathsep)
            if not p.startswith(venv_bin))
    return env


def bash(copy, script, timeout=300, env=None):
    return subprocess.run(['bash', '-e', '-c', script], cwd=copy,
                          env=dict(clean_env(), **(env or {})),
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope='module')
def fresh_copy(tmp_path_factory):
    if shutil.which('git') is None:
        pytest.skip('git is not installed')
    copy = tmp_path_factory.mktemp('readme') / 'flocx'
    listed = subprocess.run(
        ['git', 'ls-files', '-z', '--cached', '--others',
         '--exclude-standard'], cwd=ROOT, capture_output=True, check=True)
    for name in listed.stdout.decode().split('\0'):
        source = ROOT / name
        if name and source.is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
    git = ['git', '-c', 'user.name=test', '-c', 'user.email=test@example.com']
    for argv in (['init', '-q'], ['add', '-A'], ['commit', '-q', '-m', 'copy']):
        subprocess.run(git + argv, cwd=copy, check=True, capture_output=True)
    yield copy
    if (copy / '.venv-flocx' / '.flocx-installed').exists():
        bash(copy, 'tools/flocx-local.sh down', timeout=120)


def up(copy, command, env=None):
    result = bash(copy, command, timeout=UP_TIMEOUT, env=env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    output = result.stdout
    assert 'FLOCX is running on loopback' in output, output
    assert 'Demo done' in output, output
    # The first run's install shows progress lines, not pip's output.
    assert 'Collecting ' not in output and 'Requirement already' not in output
    # Every path printed is absolute.
    for token in re.findall(r'\S*(?:local-run|\.venv-flocx|tools/)\S*',
                            output):
        token = token.split('=', 1)[-1].strip('"\'(),;')
        assert token.startswith('/'), f'relative path printed: {token}'
    return output


def walk_through(copy, up_output):
    """Run "What a user can do" with the node ``up`` printed; the outputs."""
    node = re.search(r'--node (\S+)', up_output).group(1)
    assert re.fullmatch(UUID, node), node
    steps = commands(literal_block('What a user can do'))
    assert steps[0].startswith('source .venv-flocx/bin/activate')
    assert steps[1].startswith('export OS_CLIENT_CONFIG_FILE="$PWD/')
    marker = f'=== {uuid.uuid4().hex} ==='
    script = '\n'.join(f'{step.replace("<node>", node)}\necho "{marker}"'
                       for step in steps)
    result = bash(copy, script, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    outputs = result.stdout.split(marker)
    assert len(outputs) == len(steps) + 1, result.stdout
    # Keyed by what each openstack command does, e.g. 'offer create'.
    return node, {
        re.match(r'openstack --os-cloud \S+ (?:market |baremetal )?(\S+ \S+)',
                 step).group(1): out
        for step, out in zip(steps, outputs) if step.startswith('openstack')}


def check_walk_through(up_output, node, outputs):
    offer = outputs['offer create']
    assert node in offer and re.search(r'\|\s*status\s*\|\s*open\s*\|', offer)
    bid_uuid = re.search(rf'\|\s*uuid\s*\|\s*({UUID})\s*\|',
                         outputs['bid create']).group(1)
    assert re.search(r'\|\s*id\s*\|', outputs['round start'])
    # The bid was cleared (by this round or the engine's periodic one).
    assert bid_uuid in outputs['contract list']
    # The demo's contract has started: org-b sees that node as its lessee.
    demo_node = re.search(rf'org-b now sees node ({UUID})',
                          up_output).group(1)
    assert demo_node in outputs['node list']


def assert_owner_only(run_dir):
    """Passwords (configs, clouds.yaml) and bids (databases, logs): 0600/0700."""
    exposed = [f'{path} {oct(path.stat().st_mode & 0o777)}'
               for path in [run_dir, *run_dir.rglob('*')]
               if not path.is_symlink() and path.stat().st_mode & 0o077]
    assert not exposed, exposed
    assert (run_dir / 'etc' / 'flocx-provider.conf').exists()
    assert (run_dir / 'openstack' / 'clouds.yaml').exists()


def down(copy, env=None):
    """Run down; returns (its output, seconds)."""
    started = time.monotonic()
    result = bash(copy, 'tools/flocx-local.sh down', timeout=120, env=env)
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stdout + result.stderr
    print(f'down took {elapsed:.1f} s:\n{result.stdout}')
    return result.stdout, elapsed


def check_down(copy, output, elapsed, processes):
    for name in (*processes, 'ironic', 'keystone'):
        assert re.search(rf'stopped {name} \(pid \d+\) in [\d.]+ s', output), \
            (name, output)
    assert 'killed' not in output and 'ignored SIGTERM' not in output
    stopped_in = float(re.search(r'FLOCX stopped in ([\d.]+) s', output)[1])
    assert stopped_in < STOP_BOUND_S, output
    assert elapsed < DOWN_BOUND_S, output
    run_dir = str(copy / 'local-run')
    left = [pid for pid in os.listdir('/proc') if pid.isdigit()
            and run_dir in _cmdline(pid)]
    assert not left, [_cmdline(pid) for pid in left]


def _cmdline(pid):
    try:
        return pathlib.Path(f'/proc/{pid}/cmdline').read_bytes().replace(
            b'\0', b' ').decode(errors='replace')
    except OSError:
        return ''


def test_readme_commands_embedded(fresh_copy):
    first = commands(literal_block('run a demo market'))
    assert first == ['tools/flocx-local.sh up']
    output = up(fresh_copy, first[0])
    assert 'one process, in-process RPC' in output
    node, outputs = walk_through(fresh_copy, output)
    check_walk_through(output, node, outputs)
    assert_owner_only(fresh_copy / 'local-run')
    assert 'transport_url = fake:/' in (
        fresh_copy / 'local-run' / 'etc' / 'flocx-market.conf').read_text()
    down_output, elapsed = down(fresh_copy)
    check_down(fresh_copy, down_output, elapsed, ['flocx-services'])


def _queues(rabbit, vhost):
    return rabbit.ctl('list_queues', '-p', vhost, '--no-table-headers',
                      'name').split()


def rabbitmqctl_env(rabbit):
    """What makes ``rabbitmqctl`` in the local cloud's ``up`` and ``down``
    administer the test's private RabbitMQ: its node name, a HOME holding
    its Erlang cookie (pip keeps the user's cache), and RabbitMQ's own
    rabbitmqctl first on the PATH (Debian's /usr/sbin wrapper runs it as
    the rabbitmq user, with that user's cookie)."""
    cache = os.path.join(os.path.expanduser('~'), '.cache')
    ctl_dir = os.path.dirname(rabbit.binaries()[1])
    return {'RABBITMQ_NODENAME': rabbit.node,
            'PATH': os.pathsep.join([ctl_dir, clean_env()['PATH']]),
            'HOME': rabbit.env()['HOME'],
            'ERL_EPMD_ADDRESS': '127.0.0.1',
            'XDG_CACHE_HOME': os.environ.get('XDG_CACHE_HOME', cache)}


def test_readme_deployment_shape_over_rabbitmq_and_postgresql(fresh_copy):
    admin_url = services.require('postgresql')
    rabbit = servers.get('rabbitmq')
    ctl_env = rabbitmqctl_env(rabbit)
    argv = shlex.split(commands(literal_block('as a deployment would'))[0])
    assert argv[:2] == ['tools/flocx-local.sh', 'up']
    options = dict(zip(argv[2::2], argv[3::2]))
    assert options['--transport-url'].startswith('rabbit://')
    assert options['--database-url'].startswith('postgresql+psycopg2://')
    assert options['--database-url'].endswith('{service}')

    name = f'flocx_readme_{uuid.uuid4().hex[:8]}'
    engine = sa.create_engine(admin_url, isolation_level='AUTOCOMMIT')
    with engine.connect() as conn:
        for service in ('market', 'provider'):
            conn.execute(sa.text(f'CREATE DATABASE {name}_{service}'))
    try:
        with services.rabbit_vhost() as rabbit_url:
            test_vhost = rabbit_url.rsplit('/', 1)[-1] or '/'
            options['--transport-url'] = rabbit_url
            options['--database-url'] = (admin_url.rsplit('/', 1)[0] +
                                         f'/{name}_{{service}}')
            command = shlex.join(argv[:2] + [
                item for pair in options.items() for item in pair])
            try:
                output = up(fresh_copy, command, env=ctl_env)
                assert 'one process each, over rabbit' in output
                vhost = re.search(r'RabbitMQ virtual host (\S+) \(down '
                                  r'deletes it', output).group(1)
                node, outputs = walk_through(fresh_copy, output)
                check_walk_through(output, node, outputs)
                assert _queues(rabbit, vhost), 'the services use their own vhost'
                assert_owner_only(fresh_copy / 'local-run')
            finally:
                down_output, elapsed = down(fresh_copy, env=ctl_env)
            check_down(fresh_copy, down_output, elapsed, [
                'flocx-market-api', 'flocx-market-manager',
                'flocx-auction-engine', 'flocx-auction-api',
                'flocx-provider-api', 'flocx-provider-manager'])
            assert f'deleted RabbitMQ virtual host {vhost}' in down_output
            assert vhost not in rabbit.ctl('list_vhosts', '--no-table-headers',
                                         'name').split()
            assert _queues(rabbit, test_vhost) == []
    finally:
        with engine.connect() as conn:
            for service in ('market', 'provider'):
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS '
                                     f'{name}_{service} WITH (FORCE)'))
        engine.dispose()
