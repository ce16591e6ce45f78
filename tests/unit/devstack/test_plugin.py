"""The DevStack plugin, run in bash against stubs of DevStack's helpers.

Every DevStack function lib/flocx calls is replaced by a stub that appends
the call to a record file (one line per call, arguments separated by \\x1f)
and answers what DevStack would. Each test runs one phase function (or
plugin.sh with DevStack's arguments) and checks the recorded calls.
"""

import configparser
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.unit import shellcheck

REPO = Path(__file__).resolve().parents[3]
LIB = REPO / 'devstack' / 'lib' / 'flocx'
PLUGIN = REPO / 'devstack' / 'plugin.sh'
SEP = '\x1f'

ALL_SERVICES = ('flocx-market-api flocx-market-manager flocx-auction-api '
                'flocx-auction-engine flocx-provider-api '
                'flocx-provider-manager')

STUBS = r'''
_rec() {
    local IFS=$'\x1f'
    printf '%s\n' "$*" >> "$RECORD"
}
_enabled() {
    local s
    for s in $ENABLED_SERVICES; do [[ "$s" == "$1" ]] && return 0; done
    return 1
}
is_service_enabled() {
    local s
    for s in "$@"; do _enabled "$s" && return 0; done
    return 1
}
iniset() { _rec iniset "$@"; }
setup_develop() { _rec setup_develop "$@"; }
get_or_create_user() { _rec get_or_create_user "$@"; echo "id-of-$1"; }
get_or_add_user_project_role() { _rec get_or_add_user_project_role "$@"; }
get_or_create_service() { _rec get_or_create_service "$@"; echo "id-of-$2"; }
get_or_create_endpoint() { _rec get_or_create_endpoint "$@"; }
configure_keystone_authtoken_middleware() {
    _rec configure_keystone_authtoken_middleware "$@"
}
recreate_database() { _rec recreate_database "$@"; }
run_process() { _rec run_process "$@"; }
stop_process() { _rec stop_process "$@"; }
write_uwsgi_config() { _rec write_uwsgi_config "$@"; }
remove_uwsgi_config() { _rec remove_uwsgi_config "$@"; }
wait_for_service() { _rec wait_for_service "$@"; }
get_transport_url() { echo "rabbit://stackrabbit:secret@10.0.0.5:5672/"; }
database_connection_url() { echo "mysql+pymysql://root:secret@10.0.0.5/$1?charset=utf8"; }
get_python_exec_prefix() { echo "$STUB_BIN"; }
echo_summary() { _rec echo_summary "$@"; }
die() { _rec die "$@"; exit 1; }
sudo() {
    _rec sudo "$@"
    if [[ "$1" == install ]]; then mkdir -p "${@: -1}"; fi
}
'''


class DevStack:
    """A scratch DevStack: stubs, variables, fake console scripts."""

    def __init__(self, root):
        self.root = root
        self.record = root / 'record'
        self.record.touch()
        self.bin = root / 'bin'
        self.bin.mkdir()
        for name in ('flocx-market-dbsync', 'flocx-provider-dbsync'):
            script = self.bin / name
            script.write_text('#!/bin/bash\n'
                              'IFS=$\'\\x1f\'\n'
                              f'printf "%s\\n" "{name}$IFS$*" >> "$RECORD"\n')
            script.chmod(0o755)
        dest = root / 'opt-stack'
        dest.mkdir()
        # DevStack clones the plugin's repository to $DEST/<plugin name>.
        (dest / 'flocx').symlink_to(REPO)
        self.ironic_dir = root / 'etc-ironic'
        self.ironic_dir.mkdir()
        # Horizon's checkout: the panels it loads are named in local/enabled.
        self.horizon_enabled = (root / 'horizon' / 'openstack_dashboard'
                                / 'local' / 'enabled')
        self.horizon_enabled.mkdir(parents=True)
        (self.horizon_enabled / '_9001_developer.py').touch()
        self.env = {
            'PATH': os.environ['PATH'],
            'HOME': str(root),
            'RECORD': str(self.record),
            'STUB_BIN': str(self.bin),
            'PYTHON': sys.executable,
            'ENABLED_SERVICES': f'key mysql rabbit ir-api ir-cond '
                                f'{ALL_SERVICES}',
            'DEST': str(dest),
            'DATA_DIR': str(root / 'data'),
            'STACK_USER': 'stack',
            'SERVICE_HOST': '10.0.0.5',
            'SERVICE_PROTOCOL': 'http',
            'SERVICE_PASSWORD': 'secret',
            'SERVICE_PROJECT_NAME': 'service',
            'SERVICE_TIMEOUT': '60',
            'REGION_NAME': 'RegionOne',
            'KEYSTONE_SERVICE_URI': 'http://10.0.0.5/identity',
            'ENABLE_DEBUG_LOG_LEVEL': 'True',
            'IRONIC_CONF_DIR': str(self.ironic_dir),
            'HORIZON_DIR': str(root / 'horizon'),
            'FLOCX_CONF_DIR': str(root / 'etc-flocx'),
        }

    def run(self, body, check=True, **env):
        script = self.root / 'run.sh'
        script.write_text(STUBS + body)
        proc = subprocess.run(
            ['bash', '-eu', '-o', 'pipefail', str(script)],
            env={**self.env, **env}, capture_output=True, text=True,
            timeout=60, check=False)
        if check:
            assert proc.returncode == 0, proc.stderr
        return proc

    def phase(self, function, **env):
        return self.run(f'source "$DEST/flocx/devstack/lib/flocx"\n'
                        f'{function}\n', **env)

    def plugin(self, *args, **env):
        return self.run(f'set -- {" ".join(args)}\n'
                        f'source "$DEST/flocx/devstack/plugin.sh"\n', **env)

    def calls(self, name=None):
        lines = self.record.read_text().splitlines()
        calls = [tuple(line.split(SEP)) for line in lines]
        if name is None:
            return calls
        return [c[1:] for c in calls if c[0] == name]

    def ini(self, path):
        """The config file as the recorded iniset calls would write it."""
        # DEFAULT as a section like the others: no inherited values.
        parser = configparser.ConfigParser(interpolation=None,
                                           default_section='\x00')
        parser.optionxform = str
        for conf, section, key, value in self.calls('iniset'):
            if conf == str(path):
                if not parser.has_section(section):
                    parser.add_section(section)
                parser.set(section, key, value)
        return parser

    @property
    def conf_dir(self):
        return Path(self.env['FLOCX_CONF_DIR'])


@pytest.fixture
def devstack(tmp_path):
    return DevStack(tmp_path)


def test_install(devstack):
    devstack.phase('install_flocx')
    # The servers, then python-flocxclient (the `openstack market` plugin).
    assert devstack.calls('setup_develop') == [
        (devstack.env['DEST'] + '/flocx',),
        (devstack.env['DEST'] + '/flocx/client',)]


def test_configure_writes_each_service_config(devstack):
    devstack.phase('configure_flocx')
    assert devstack.conf_dir.is_dir()
    expected = {'market': 'flocx_market', 'auction': None,
                'provider': 'flocx_provider'}
    for service, db in expected.items():
        path = devstack.conf_dir / f'flocx-{service}.conf'
        # It holds the service's and the database's passwords (issue 11).
        assert path.stat().st_mode & 0o777 == 0o600
        conf = devstack.ini(path)
        assert conf['DEFAULT']['auth_strategy'] == 'keystone'
        assert conf['DEFAULT']['transport_url'] == \
            'rabbit://stackrabbit:secret@10.0.0.5:5672/'
        assert conf['DEFAULT']['debug'] == 'True'
        # Path-based behind Apache: no port of its own.
        assert not conf.has_option('api', 'port')
        assert conf['api']['public_endpoint'] == \
            f'http://10.0.0.5/flocx-{service}'
        assert conf['oslo_messaging_notifications']['driver'] == \
            'messagingv2'
        if db:
            assert conf['database']['connection'] == \
                f'mysql+pymysql://root:secret@10.0.0.5/{db}?charset=utf8'
        else:
            assert not conf.has_section('database')
    auction = devstack.ini(devstack.conf_dir / 'flocx-auction.conf')
    state_path = devstack.root / 'data' / 'flocx'
    assert auction['auction']['state_path'] == str(state_path)
    assert state_path.is_dir()
    provider = devstack.ini(devstack.conf_dir / 'flocx-provider.conf')
    assert dict(provider['ironic']) == {
        'auth_type': 'password', 'auth_url': 'http://10.0.0.5/identity',
        'username': 'flocx', 'password': 'secret',
        'user_domain_name': 'Default', 'region_name': 'RegionOne'}
    assert devstack.calls('configure_keystone_authtoken_middleware') == [
        (str(devstack.conf_dir / f'flocx-{s}.conf'), 'flocx')
        for s in ('market', 'auction', 'provider')]


def test_configure_creates_keystone_accounts(devstack):
    devstack.phase('configure_flocx', FLOCX_OWNER_PROJECTS='org-a org-b')
    assert devstack.calls('get_or_create_user') == [
        ('flocx', 'secret', 'default')]
    assert devstack.calls('get_or_add_user_project_role') == [
        ('service', 'id-of-flocx', 'service'),
        ('service', 'id-of-flocx', 'org-a'),
        ('service', 'id-of-flocx', 'org-b')]
    urls = {s: f'http://10.0.0.5/flocx-{s}'
            for s in ('market', 'auction', 'provider')}
    assert devstack.calls('get_or_create_service') == [
        ('flocx-market', 'marketplace', 'FLOCX market service'),
        ('flocx-auction', 'auction', 'FLOCX auction service'),
        ('flocx-provider', 'provider', 'FLOCX provider service')]
    assert devstack.calls('get_or_create_endpoint') == [
        ('id-of-marketplace', 'RegionOne', urls['market'], '',
         urls['market']),
        ('id-of-auction', 'RegionOne', urls['auction'], '', urls['auction']),
        ('id-of-provider', 'RegionOne', urls['provider'], '',
         urls['provider'])]


def test_default_owner_projects_can_offer_at_once(devstack):
    devstack.phase('configure_flocx')
    projects = [c[2] for c in devstack.calls('get_or_add_user_project_role')]
    assert projects == ['service', 'admin', 'demo']


def test_configure_writes_uwsgi_configs(devstack):
    devstack.phase('configure_flocx')
    assert devstack.calls('write_uwsgi_config') == [
        (str(devstack.conf_dir / f'flocx-{s}-api-uwsgi.ini'),
         f'flocx_{s}.wsgi:application', f'/flocx-{s}', '', f'flocx-{s}-api')
        for s in ('market', 'auction', 'provider')]
    for s in ('market', 'auction', 'provider'):
        ini = devstack.ini(devstack.conf_dir / f'flocx-{s}-api-uwsgi.ini')
        assert ini['uwsgi']['env'] == \
            f'FLOCX_{s.upper()}_CONFIG={devstack.conf_dir}/flocx-{s}.conf'


PANELS = sorted(p.name for p in
                (REPO / 'dashboard' / 'flocx_dashboard' / 'enabled')
                .glob('_6*_flocx_*.py'))


def test_install_horizon_panel_when_horizon_runs(devstack):
    devstack.phase('install_flocx',
                   ENABLED_SERVICES=f'horizon {ALL_SERVICES}')
    dest = devstack.env['DEST'] + '/flocx'
    # The server, the client (the `openstack market` plugin), the panel:
    # each its own distribution.
    assert devstack.calls('setup_develop') == [
        (dest,), (dest + '/client',), (dest + '/dashboard',)]
    # Horizon loads what its local/enabled/ names: the panel group and each
    # panel, linked to this checkout; not the optional default panel.
    assert len(PANELS) == 6
    linked = sorted(p.name for p in devstack.horizon_enabled.iterdir()
                    if p.name != '_9001_developer.py')
    assert linked == PANELS
    for name in PANELS:
        link = devstack.horizon_enabled / name
        assert link.is_symlink()
        assert link.resolve() == (REPO / 'dashboard' / 'flocx_dashboard'
                                  / 'enabled' / name)


def test_no_horizon_no_panel(devstack):
    devstack.phase('install_flocx')
    assert [p.name for p in devstack.horizon_enabled.iterdir()] == [
        '_9001_developer.py']


def test_cleanup_removes_uwsgi_and_config(devstack):
    devstack.phase('install_flocx',
                   ENABLED_SERVICES=f'horizon {ALL_SERVICES}')
    devstack.phase('configure_flocx')
    devstack.record.write_text('')
    devstack.phase('cleanup_flocx')
    # The panels' links go; Horizon's own enabled files stay.
    assert [p.name for p in devstack.horizon_enabled.iterdir()] == [
        '_9001_developer.py']
    assert [c[1] for c in devstack.calls('remove_uwsgi_config')] == [
        'flocx-market-api', 'flocx-auction-api', 'flocx-provider-api']
    assert ('rm', '-rf', str(devstack.conf_dir),
            str(devstack.root / 'data' / 'flocx')) in devstack.calls('sudo')


def test_configure_skips_disabled_apis_and_keystone(devstack):
    devstack.phase('configure_flocx',
                   ENABLED_SERVICES='key flocx-market-api '
                                    'flocx-market-manager')
    assert [c[1] for c in devstack.calls('get_or_create_service')] == [
        'marketplace']

    devstack.record.write_text('')
    devstack.phase('configure_flocx', ENABLED_SERVICES=ALL_SERVICES)
    assert devstack.calls('get_or_create_user') == []
    assert devstack.calls('get_or_create_service') == []


def test_configure_installs_ironic_policy(devstack):
    devstack.phase('configure_flocx')
    policy = devstack.ironic_dir / 'policy.yaml'
    patch = REPO / 'ironic_patches' / 'policy.yaml'
    assert yaml.safe_load(policy.read_text()) == \
        yaml.safe_load(patch.read_text())
    assert devstack.ini(devstack.ironic_dir / 'ironic.conf')[
        'oslo_policy']['policy_file'] == str(policy)


def test_configure_merges_existing_ironic_policy(devstack):
    policy = devstack.ironic_dir / 'policy.yaml'
    patch = yaml.safe_load(
        (REPO / 'ironic_patches' / 'policy.yaml').read_text())
    overridden = next(iter(patch))
    policy.write_text(yaml.safe_dump({
        'baremetal:node:get': 'rule:is_admin',
        overridden: 'role:nobody'}))
    devstack.phase('configure_flocx')
    merged = yaml.safe_load(policy.read_text())
    assert merged == {'baremetal:node:get': 'rule:is_admin', **patch}


def test_configure_without_ironic_patches(devstack, tmp_path):
    empty = tmp_path / 'no-patches'
    empty.mkdir()
    devstack.phase('configure_flocx', FLOCX_IRONIC_PATCHES_DIR=str(empty))
    assert not (devstack.ironic_dir / 'policy.yaml').exists()
    assert not devstack.ini(devstack.ironic_dir / 'ironic.conf').sections()


def test_init_creates_and_migrates_databases(devstack):
    devstack.phase('init_flocx')
    market = str(devstack.conf_dir / 'flocx-market.conf')
    provider = str(devstack.conf_dir / 'flocx-provider.conf')
    assert devstack.calls() == [
        ('recreate_database', 'flocx_market'),
        ('flocx-market-dbsync', '--config-file', market, 'upgrade'),
        ('recreate_database', 'flocx_provider'),
        ('flocx-provider-dbsync', '--config-file', provider, 'upgrade')]


def test_init_only_for_enabled_services(devstack):
    devstack.phase('init_flocx', ENABLED_SERVICES='flocx-auction-api '
                                                  'flocx-provider-manager')
    assert [c[0] for c in devstack.calls()] == [
        'recreate_database', 'flocx-provider-dbsync']


def test_start(devstack):
    devstack.phase('start_flocx')
    bin_dir, conf_dir = devstack.bin, devstack.conf_dir
    expected = [
        (f'flocx-{service}-{process}',
         (f'{bin_dir}/flocx-{service}-{process} '
          f'--config-file {conf_dir}/flocx-{service}.conf'))
        for service, process in [('market', 'manager'),
                                 ('provider', 'manager'),
                                 ('auction', 'engine')]]
    expected += [
        (f'flocx-{service}-api',
         f'{bin_dir}/uwsgi --procname-prefix flocx-{service} '
         f'--ini {conf_dir}/flocx-{service}-api-uwsgi.ini')
        for service in ('market', 'provider', 'auction')]
    assert sorted(devstack.calls('run_process')) == sorted(expected)
    assert devstack.calls('wait_for_service') == [
        ('60', f'http://10.0.0.5/flocx-{s}')
        for s in ('market', 'provider', 'auction')]


def test_start_dies_when_an_api_does_not_answer(devstack):
    proc = devstack.run(
        'source "$DEST/flocx/devstack/lib/flocx"\n'
        'wait_for_service() { _rec wait_for_service "$@"; return 1; }\n'
        'start_flocx\n', check=False)
    assert proc.returncode != 0
    assert devstack.calls('die')[0][1] == 'flocx-market-api did not start'


def test_stop(devstack):
    devstack.phase('stop_flocx')
    assert sorted(c[0] for c in devstack.calls('stop_process')) == sorted(
        ALL_SERVICES.split())


@pytest.mark.parametrize('args, expected', [
    (('stack', 'install'), ['setup_develop']),
    (('stack', 'post-config'), ['configure_keystone_authtoken_middleware']),
    (('stack', 'extra'), ['recreate_database', 'run_process']),
    (('unstack',), ['stop_process', 'remove_uwsgi_config']),
])
def test_plugin_dispatches_phases(devstack, args, expected):
    devstack.plugin(*args)
    names = {c[0] for c in devstack.calls()}
    for name in expected:
        assert name in names
    phases = {'setup_develop', 'configure_keystone_authtoken_middleware',
              'recreate_database', 'run_process', 'stop_process',
              'remove_uwsgi_config'}
    assert names & phases == set(expected)


def test_plugin_does_nothing_without_flocx_services(devstack):
    devstack.plugin('stack', 'install', ENABLED_SERVICES='key ir-api')
    assert devstack.calls() == []


def test_shellcheck_clean():
    shellcheck.assert_clean('devstack/plugin.sh', 'devstack/lib/flocx',
                            'devstack/settings', cwd=REPO,
                            follow_sources=True)
