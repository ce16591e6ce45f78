"""A real Horizon 27 with flocx_dashboard, a real FLOCX and headless Chromium.

* FLOCX: ``flocx-local up`` (flocx_local/cli.py): a real Keystone and
  Ironic, and the market, the auction and the provider in one process with
  Keystone auth, SQLite and the in-process RPC transport, all in the
  catalog (``marketplace``, ``auction``, ``provider``).
* Horizon: its own virtualenv (tools/horizon/hzlocal.py), Django's threaded
  server on a loopback port.
* Chromium: the distribution's (/usr/bin/chromium), driven by Playwright.

Without Horizon's venv, Playwright, Chromium, Keystone or Ironic the tests
skip, except under CI (the CI variable set), where Horizon is installed if
missing and anything else missing is an error.
"""
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from flocx_local import cli
from flocx_local import openstack as local_openstack
from tests.functional import services

REPO = Path(__file__).resolve().parents[3]
FLOCX_LOCAL = [sys.executable, '-m', 'flocx_local.cli']
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


class LocalFlocx:
    """A started flocx-local: ``cloud`` (LocalOpenStack) and the service ``urls``."""

    def __init__(self, run_dir):
        layout = cli.Layout(run_dir)
        self.run_dir = layout.root
        self.cloud = local_openstack.LocalOpenStack(layout.openstack)
        self.urls = layout.state()['urls']
        self.market_url = self.urls['marketplace']
        self.auction_url = self.urls['auction']
        self.provider_url = self.urls['provider']
        self.logs = layout.logs


@pytest.fixture(scope='session')
def flocx_local(horizon_install, tmp_path_factory):
    """flocx-local up: Keystone, Ironic, the market, the auction and the
    provider (one process, in-process RPC), all in the catalog."""
    services.require_keystone_and_ironic()
    run_dir = tmp_path_factory.mktemp('flocx-local') / 'flocx'
    env = dict(os.environ, PYTHONWARNINGS='ignore')
    try:
        result = subprocess.run(
            # Rounds only when the test starts them: a periodic round (10 s
            # by default) could clear the test's bid just before its own.
            FLOCX_LOCAL + ['up', '--dir', str(run_dir), '--no-demo',
                           '--round-interval', '3600'],
            check=False, env=env, capture_output=True, text=True, timeout=300,
            stdin=subprocess.DEVNULL)
        assert result.returncode == 0, result.stdout + result.stderr
        yield LocalFlocx(run_dir)
    finally:
        subprocess.run(FLOCX_LOCAL + ['down', '--dir', str(run_dir)],
                       check=False,
                       env=env, capture_output=True, timeout=120,
                       stdin=subprocess.DEVNULL)


@pytest.fixture(scope='session')
def horizon(horizon_install, flocx_local):
    """The URL of a started Horizon logging in through flocx-local's Keystone."""
    hz = horizon_install
    hz.stop()  # a leftover of an interrupted run
    try:
        yield hz.start(flocx_local.cloud.auth_url)
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

