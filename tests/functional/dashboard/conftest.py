"""A real Horizon 27 with flocx_dashboard, a real market API and headless Chromium.

* Keystone (and Ironic): the session's ``realstack`` (tests/functional/fixtures).
* The market and the auction: their APIs, the market's RPC manager and the
  auction engine in one subprocess (flocx_stack.py) with auth_strategy =
  keystone, SQLite and the in-process RPC transport, registered in the
  catalog as ``marketplace`` and ``auction``.
* Horizon: its own virtualenv (tools/horizon/hzlocal.py), Django's threaded
  server on a loopback port.
* Chromium: the distribution's (/usr/bin/chromium), driven by Playwright.

Without Horizon's venv, Playwright or Chromium the tests skip, except under
CI (the CI variable set), where Horizon is installed if missing and anything
else missing is an error.
"""
import importlib.util
import os
import sys
from pathlib import Path

import pytest

from flocx_common.local import configs, processes
from flocx_common.local import openstack as local_openstack

REPO = Path(__file__).resolve().parents[3]
ARTIFACTS = REPO / 'test-artifacts' / 'horizon'


def _load_hzlocal():
    spec = importlib.util.spec_from_file_location(
        'flocx_hzlocal', REPO / 'tools' / 'horizon' / 'hzlocal.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


hzlocal = _load_hzlocal()


def _missing(message):
    if os.environ.get('CI'):
        pytest.fail(f'CI must run the Horizon browser tests: {message}',
                    pytrace=False)
    pytest.skip(message)


def _import_playwright(hz):
    """Playwright from this venv, else from Horizon's (same Python).

    Only playwright and pyee are borrowed, through a directory of symlinks,
    so nothing else of Horizon's venv (its Django, its clients) can shadow
    this venv's packages. Adding playwright to functional-requirements.txt
    makes this unnecessary.
    """
    try:
        return importlib.import_module('playwright.sync_api')
    except ImportError:
        pass
    site = hz.site_packages()
    if not (site / 'playwright').is_dir():
        return None
    shim = hz.dir / 'playwright-shim'
    shim.mkdir(exist_ok=True)
    for name in ('playwright', 'pyee'):
        link = shim / name
        if not link.exists() and (site / name).exists():
            link.symlink_to(site / name)
    sys.path.append(str(shim))
    try:
        return importlib.import_module('playwright.sync_api')
    except ImportError:
        return None


@pytest.fixture(scope='session')
def horizon_install():
    hz = hzlocal.Horizon()
    if not hzlocal.chromium_available():
        _missing(f'no Chromium at {hzlocal.CHROMIUM}: apt-get install -y '
                 'chromium chromium-driver fonts-dejavu-core')
    if not hz.installed():
        if not os.environ.get('CI'):
            pytest.skip(f'Horizon is not installed in {hz.venv}: python '
                        'tools/horizon/hzlocal.py install')
        hz.install()
    if _import_playwright(hz) is None:
        _missing('Playwright is not importable')
    return hz


class FlocxServices:
    """The market and the auction (tests/functional/dashboard/flocx_stack.py)
    as one subprocess, authenticating with the real Keystone, registered in
    its catalog as ``marketplace`` and ``auction``."""

    def __init__(self, cloud, run_dir):
        self.cloud = cloud
        self.run_dir = Path(run_dir)
        self.ports = {s: local_openstack.free_port()
                      for s in ('market', 'auction')}
        self.market_url = f'http://127.0.0.1:{self.ports["market"]}'
        self.auction_url = f'http://127.0.0.1:{self.ports["auction"]}'
        self.db_url = f'sqlite:///{self.run_dir}/market.sqlite'
        self.logs = self.run_dir / 'logs'
        self.pids = self.run_dir / 'pids'
        for path in (self.logs, self.pids):
            path.mkdir(parents=True, exist_ok=True)

    def conf(self, service):
        return self.run_dir / f'flocx-{service}.conf'

    def write_configs(self):
        auth_url = self.cloud.auth_url
        authtoken = {
            'auth_type': 'password', 'auth_url': auth_url,
            'www_authenticate_uri': auth_url, 'username': 'flocx',
            'password': self.cloud.password('flocx'),
            'user_domain_name': 'Default', 'project_name': 'service',
            'project_domain_name': 'Default', 'region_name': 'RegionOne',
            'interface': 'public'}
        for service in ('market', 'auction'):
            sections = {
                'DEFAULT': {'auth_strategy': 'keystone', 'host': 'local',
                            'log_file': str(self.logs / f'{service}.log')},
                'api': {'host_ip': '127.0.0.1',
                        'port': str(self.ports[service])},
                'keystone_authtoken': authtoken,
                'oslo_policy': {'policy_file': str(self.run_dir /
                                                   'policy.yaml')},
            }
            if service == 'market':
                sections['database'] = {'connection': self.db_url}
            else:
                # Rounds only when the test asks for one.
                sections['auction'] = {
                    'state_path': str(self.run_dir / 'auction'),
                    'round_interval': '3600'}
            configs.write_ini(self.conf(service), sections)

    def start(self):
        self.write_configs()
        proc = processes.spawn(
            'flocx-services',
            [sys.executable, '-m', 'tests.functional.dashboard.flocx_stack',
             str(self.conf('market')), str(self.conf('auction'))],
            self.pids, self.logs,
            env=dict(os.environ, PYTHONWARNINGS='ignore',
                     PYTHONPATH=str(REPO)))
        for url, log in ((self.market_url, 'market.log'),
                         (self.auction_url, 'auction.log')):
            processes.wait_until_answering(
                'flocx-services', url + '/', proc, 120, self.logs / log)
        self.register()

    def register(self):
        self.cloud.register_service('marketplace', self.market_url)
        self.cloud.register_service('auction', self.auction_url)

    def stop(self):
        processes.stop('flocx-services', self.pids / 'flocx-services.pid',
                       str(self.conf('market')))


@pytest.fixture(scope='session')
def flocx_services(realstack, tmp_path_factory):
    services = FlocxServices(realstack, tmp_path_factory.mktemp('flocx'))
    try:
        services.start()
        yield services
    finally:
        services.stop()


@pytest.fixture(scope='session')
def horizon(horizon_install, realstack, flocx_services):
    """The URL of a started Horizon logging in through the realstack Keystone."""
    hz = horizon_install
    hz.stop()  # a leftover of an interrupted run
    try:
        yield hz.start(realstack.auth_url)
    finally:
        hz.stop()


@pytest.fixture(scope='session')
def browser(horizon_install):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=hzlocal.CHROMIUM,
                                    headless=True, args=hzlocal.CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope='session')
def artifacts():
    """test-artifacts/horizon/, emptied of an earlier run's PNGs."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob('*.png'):
        old.unlink()
    return ARTIFACTS


@pytest.fixture
def shots(artifacts):
    """shots(page, name): a full-page PNG in test-artifacts/horizon/."""
    taken = []

    def shoot(page, name):
        path = artifacts / f'{len(taken) + 1:02d}-{name}.png'
        page.screenshot(path=str(path), full_page=True)
        taken.append(path)
        return path

    yield shoot


@pytest.fixture
def page(browser, request, artifacts):
    context = browser.new_context(viewport={'width': 1400, 'height': 900})
    page = context.new_page()
    page.set_default_timeout(30000)
    problems = []
    page.on('pageerror', lambda e: problems.append(f'JS error: {e}'))
    page.on('response', lambda r: problems.append(f'{r.status} {r.url}')
            if r.status >= 500 else None)
    page.problems = problems
    yield page
    report = getattr(request.node, 'rep_call', None)
    if report is not None and report.failed:
        page.screenshot(path=str(artifacts / 'failure.png'), full_page=True)
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f'rep_{report.when}', report)

