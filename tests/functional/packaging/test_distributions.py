"""The client and dashboard distributions install without the servers.

Builds python-flocxclient (client/) and flocx-dashboard (dashboard/) as
wheels, installs the client into a fresh virtualenv (and runs ``openstack
market`` there), resolves the dashboard's whole dependency closure in that
virtualenv (``pip install --dry-run --report``: Horizon and Django included),
and checks that neither pulls in numpy, scipy or the server stack, nor the
server distribution ``flocx`` itself. Uses pip's index and cache, as any
install does (about 50 s with a warm cache).
"""

import ast
import importlib.metadata
import json
import pathlib
import re
import subprocess
import sys
import venv

import pytest

REPO = pathlib.Path(__file__).resolve().parents[3]
# What only the FLOCX servers need (issue 15): never in a client install.
SERVER_ONLY = {'numpy', 'scipy', 'pyuwsgi', 'uwsgi', 'oslo-db', 'sqlalchemy',
               'alembic', 'tooz', 'pecan', 'oslo-messaging',
               'keystonemiddleware', 'cheroot', 'flocx'}


def canonical(name):
    return re.sub(r'[-_.]+', '-', name).lower()


@pytest.fixture(scope='module')
def wheels(tmp_path_factory):
    out = tmp_path_factory.mktemp('wheels')
    subprocess.run([sys.executable, '-m', 'pip', 'wheel', '-q', '--no-deps',
                    '-w', str(out), str(REPO / 'client'),
                    str(REPO / 'dashboard')],
                   check=True, capture_output=True, text=True)
    return out


@pytest.fixture(scope='module')
def clean_venv(tmp_path_factory):
    path = tmp_path_factory.mktemp('venv')
    venv.EnvBuilder(with_pip=True).create(path)
    return path / 'bin'


def pip(clean_venv, *args):
    result = subprocess.run([str(clean_venv / 'python'), '-m', 'pip', *args],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def installed(clean_venv):
    listed = pip(clean_venv, 'list', '--format', 'json').stdout
    return {canonical(p['name']) for p in json.loads(listed)}


def test_client_installs_alone_and_runs(wheels, clean_venv):
    before = installed(clean_venv)
    wheel, = wheels.glob('python_flocxclient-*.whl')
    pip(clean_venv, 'install', '-q', '--find-links', str(wheels), str(wheel))
    closure = installed(clean_venv) - before
    print(f'python-flocxclient pulls in {len(closure)} distributions: '
          f'{" ".join(sorted(closure))}')
    assert 'python-flocxclient' in closure
    assert {'keystoneauth1', 'osc-lib', 'cliff',
            'python-openstackclient'} <= closure
    assert not closure & SERVER_ONLY, closure & SERVER_ONLY

    # Installed alone, the plugin loads and every command is there.
    help_text = subprocess.run(
        [str(clean_venv / 'openstack'), 'market', '--help'],
        capture_output=True, text=True, check=True).stdout
    for command in ('market offer create', 'market bid create',
                    'market lease list', 'market auction show',
                    'market version list'):
        assert command in help_text
    subprocess.run([str(clean_venv / 'python'), '-c',
                    'import flocxclient, flocx_cli.plugin'], check=True)


def test_dashboard_closure(wheels, clean_venv):
    wheel, = wheels.glob('flocx_dashboard-*.whl')
    report = wheels / 'dashboard-report.json'
    pip(clean_venv, 'install', '-q', '--dry-run', '--ignore-installed',
        '--report', str(report), '--find-links', str(wheels), str(wheel))
    closure = {canonical(item['metadata']['name'])
               for item in json.loads(report.read_text())['install']}
    print(f'flocx-dashboard pulls in {len(closure)} distributions: '
          f'{" ".join(sorted(closure))}')
    assert {'flocx-dashboard', 'python-flocxclient', 'horizon', 'django',
            'keystoneauth1'} <= closure
    assert not closure & SERVER_ONLY, closure & SERVER_ONLY


def test_python_requires_is_what_the_code_needs():
    """python_requires says 3.10: no 3.11-only names in either distribution
    (datetime.UTC was one)."""
    for dist in ('client', 'dashboard'):
        text = (REPO / dist / 'pyproject.toml').read_text()
        assert 'requires-python = ">=3.10"' in text
        for path in (REPO / dist).rglob('*.py'):
            source = path.read_text()
            for name in ('datetime.UTC', 'import tomllib', 'typing.Self',
                         'ExceptionGroup'):
                assert name not in source, f'{path}: {name}'


# Modules of Horizon's distribution, which is not installed with the tests.
NOT_INSTALLED_HERE = {'django': 'django', 'horizon': 'horizon',
                      'openstack_dashboard': 'horizon'}


def imported_modules(folder):
    for path in folder.rglob('*.py'):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                yield from (alias.name.split('.')[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                yield node.module.split('.')[0]


def declared(dist):
    text = (REPO / dist / 'pyproject.toml').read_text()
    block = text.split('dependencies = [', 1)[1].split(']', 1)[0]
    return {canonical(re.match(r'\s*"([A-Za-z0-9_.-]+)', line).group(1))
            for line in block.splitlines() if line.strip().startswith('"')}


def required(*files):
    """The distributions named in pip requirements files."""
    names = set()
    for name in files:
        for line in (REPO / name).read_text().splitlines():
            line = line.split('#', 1)[0].strip()
            if line:
                names.add(canonical(re.match(r'[A-Za-z0-9_.-]+', line)[0]))
    return names


def undeclared(folders, own, declared_names):
    providers = importlib.metadata.packages_distributions()
    missing = set()
    for folder in folders:
        for module in set(imported_modules(REPO / folder)) - own:
            if module in sys.stdlib_module_names:
                continue
            if module in NOT_INSTALLED_HERE:
                names = {NOT_INSTALLED_HERE[module]}
            else:
                names = {canonical(n)
                         for n in providers.get(module, [module])}
            if not names & declared_names:
                missing.add(module)
    return missing


@pytest.mark.parametrize('dist,own', [
    ('client', {'flocxclient', 'flocx_cli'}),
    ('dashboard', {'flocx_dashboard'})])
def test_every_import_is_declared(dist, own):
    """tenacity, cliff and yaml were imported without being declared."""
    missing = undeclared([dist], own, declared(dist))
    assert not missing, f'{dist}: imported, not declared: {missing}'


SERVER_PACKAGES = ('flocx_common', 'flocx_market', 'flocx_auction',
                   'flocx_provider')


def test_every_import_of_the_servers_is_declared():
    """What the services import is in requirements.txt (kombu, for the
    broker healthcheck, came only through oslo.messaging). ``uwsgi`` is
    the module uWSGI (pyuwsgi) gives the processes it runs."""
    missing = undeclared(SERVER_PACKAGES, set(SERVER_PACKAGES) | {'uwsgi'},
                         required('requirements.txt'))
    assert not missing, f'imported, not in requirements.txt: {missing}'


def test_every_import_of_the_local_cloud_is_declared():
    """flocx_local also runs Keystone and Ironic: tools/flocx-local.sh
    installs functional-requirements.txt beside requirements.txt."""
    missing = undeclared(
        ['flocx_local'], {'flocx_local', *SERVER_PACKAGES},
        required('requirements.txt', 'functional-requirements.txt'))
    assert not missing, f'imported, not required: {missing}'
