"""schemathesis against the three APIs behind a real Keystone.

The same generated requests and checks as tests/unit/fuzz/harness.py, but
keystonemiddleware in each app validates every token with the local cloud's
Keystone (flocx_local/openstack.py, started on loopback), and the tokens
are real ones Keystone issued to the secure-RBAC personas:

=====================  ==============================================
persona                Keystone user, scope
=====================  ==============================================
system_admin           ``admin``, system scope
system_reader          ``system-reader``, system scope
project_admin          ``org-a-admin``, project org-a (the owner)
project_member         ``org-a-member``, project org-a
project_reader         ``org-a-reader``, project org-a
renter_member          ``org-b-member``, project org-b (the renter)
other_project_admin    ``org-c-admin``, project org-c
other_project_member   ``org-c-member``, project org-c
service                ``flocx``, role service on project service
domain_reader          ``domain-reader``, domain scope
no_token               no X-Auth-Token
malformed              generated strings Keystone never issued
=====================  ==============================================

The apps run in process (market and auction on SQLite, the fake RPC
transport, the auction engine and the market's manager); the provider acts
on the local cloud's real Ironic as the ``flocx`` user. Tokens are asked
again before each operation, so a run longer than a token's life keeps
real, valid tokens.

``python -m tests.unit.fuzz.run --keystone real`` (tox -e fuzz -- --keystone
real) is the long run; tests/functional/fuzz/test_fuzz_real_keystone.py
the CI-sized one.
"""

import contextlib
import datetime
import itertools
import pathlib
import shutil
import tempfile
import uuid as uuidlib

from keystoneauth1 import session as ks_session
from oslo_config import cfg
from oslo_messaging import conffixture
from oslo_utils import timeutils

from flocx_auction.api import app as auction_app
from flocx_auction import conf as auction_conf
from flocx_common import rpc
from flocx_market import manager as market_manager
from flocx_provider.api import app as provider_app
from flocx_provider import conf as provider_conf
from flocx_provider.db import api as provider_db_api
from flocx_provider.db import migration as provider_migration
from flocx_provider import provider as provider_service
from tests.functional.fixtures import provider_stack
from tests.functional.rbac import base as rbac_base
from tests.unit.fuzz import harness
from tests.unit.market import base as market_base

# fuzz persona -> persona of tests/functional/rbac/base.USERS
PERSONAS = {
    'system_admin': 'system_admin',
    'system_reader': 'system_reader',
    'project_admin': 'owner_admin',
    'project_member': 'owner_member',
    'project_reader': 'owner_reader',
    'renter_member': 'renter_member',
    'other_project_admin': 'other_admin',
    'other_project_member': 'other_member',
    'service': 'service',
    'domain_reader': 'domain_reader',
}
# A child project of org-a, the lessee of the provider's lease.
LESSEE_PROJECT = 'org-a-fuzz-dev'


class Tokens:
    """A real token per persona, asked of Keystone again when it is due to
    expire (keystoneauth re-authenticates a plugin whose token expires
    within two minutes)."""

    def __init__(self, realstack, passwords):
        self.auths = {name: rbac_base.keystone_auth(realstack, passwords,
                                                    persona)
                      for name, persona in PERSONAS.items()}
        self.session = ks_session.Session()
        self._turns = None

    def current(self):
        return {name: auth.get_token(self.session)
                for name, auth in self.auths.items()}

    def personas(self):
        """The hypothesis strategy of (persona, headers), tokens as now.

        The persona goes round: each real persona, a malformed token and no
        token in turn, so that each gets the same share of the requests
        (hypothesis' own choice would favour the first of a list). The turn
        goes on from one operation to the next; only the order of the
        examples decides it, so a run is as repeatable as hypothesis makes
        it."""
        headers = {name: {'X-Auth-Token': token}
                   for name, token in sorted(self.current().items())}
        headers['no_token'] = {}
        if self._turns is None:  # one round across every operation
            self._turns = itertools.cycle(sorted(headers) + ['malformed'])

        def persona(malformed_token):
            name = next(self._turns)
            if name == 'malformed':
                return name, {'X-Auth-Token': malformed_token}
            return name, headers[name]

        return harness.MALFORMED_TOKENS.map(persona)


# The apps behind the real Keystone, each with a few known objects: a
# context manager per API yielding (app, path values).

@contextlib.contextmanager
def market_target(realstack, passwords, tmp, **_):
    from tests.functional.rbac import test_market_rbac_realstack as market_rs
    market = market_rs.RealKeystoneMarket(realstack, passwords, tmp)
    try:
        objects = market.make_objects()
        yield market.app, [objects[k] for k in (
            'open_offer', 'booked_offer', 'closed_offer', 'bid', 'contract',
            'cloud', 'organization', 'member_project')]
    finally:
        market.cleanup()


@contextlib.contextmanager
def auction_target(realstack, passwords, tmp, **_):
    from tests.functional.rbac import test_auction_rbac_realstack as auction_rs
    auction = auction_rs.RealKeystoneAuction(realstack, passwords, tmp)
    try:
        yield auction.app, [auction.objects[k] for k in (
            'round', 'won_bid', 'contract')]
    finally:
        auction.cleanup()


@contextlib.contextmanager
def auction_no_engine_target(realstack, passwords, tmp, **_):
    """The auction API with no engine and no market: an exchange of its
    own where nobody listens, so every call that needs the engine must be
    the documented 503 with Retry-After, within api_answer_timeout (1 s)."""
    conf_file = tmp / 'auction.conf'
    rbac_base.write_conf(conf_file, realstack, {
        'DEFAULT': {'control_exchange': 'flocx-nobody'},
        'auction': {'state_path': str(tmp / 'state'),
                    'api_answer_timeout': '1.0'}})
    conf = auction_conf.get_conf(['--config-file', str(conf_file)])
    messaging = conffixture.ConfFixture(conf)
    messaging.setUp()
    messaging.transport_url = 'fake:/'
    try:
        yield auction_app.setup_app(conf), [str(uuidlib.uuid4())]
    finally:
        messaging.cleanUp()
        rpc.reset()


def lessee_project(realstack):
    """A child project of org-a (made once), the lessee of a lease."""
    conn = realstack.connect('flocx-admin')
    project = conn.identity.find_project(LESSEE_PROJECT,
                                         domain_id='default')
    if project is None:
        project = conn.identity.create_project(
            name=LESSEE_PROJECT, domain_id='default',
            parent_id=realstack.project_id('org-a'))
    return project.id


def _post(app, token, path, body):
    status, answer = provider_stack.call(app, token, 'POST', path, body)
    assert status == 201, (status, answer)
    return answer['uuid']


@contextlib.contextmanager
def provider_target(realstack, passwords, tmp, nodes, **_):
    """The provider's app (no manager) on the real Keystone and Ironic; the
    market in process, serving RPC. ``nodes``: two available nodes of
    org-a's: one offered, one leased."""
    market = market_base.MarketFixture()
    market.setUp()
    server = rpc.get_server(
        market.conf, rpc.MARKET_TOPIC,
        [market_manager.MarketManager(market.services)],
        enforcer=market.services.enforcer)
    server.start()
    messaging = db = None
    try:
        conf_file = tmp / 'provider.conf'
        db_url = f'sqlite:///{tmp}/provider.sqlite'
        provider_stack._write_conf(conf_file, realstack, db_url)
        conf = cfg.ConfigOpts()
        provider_conf.register_opts(conf)
        conf(['--config-file', str(conf_file)], project='flocx')
        messaging = conffixture.ConfFixture(conf)
        messaging.setUp()
        messaging.transport_url = 'fake:/'
        db = provider_db_api.Connection(db_url)
        provider_migration.upgrade(db.get_engine())
        services = provider_service.build_services(conf, db=db)
        app = provider_app.setup_app(conf, services)
        owner = Tokens(realstack, passwords).current()['project_admin']
        now = timeutils.utcnow()
        window = {'start_time': provider_stack.iso(
                      now + datetime.timedelta(minutes=1)),
                  'end_time': provider_stack.iso(
                      now + datetime.timedelta(hours=5))}
        offer = _post(app, owner, '/v1/offers',
                      dict(window, node=nodes[0], price=1.5))
        lease = _post(app, owner, '/v1/leases',
                      dict(window, node=nodes[1],
                           project_id=lessee_project(realstack)))
        yield app, [offer, lease]
    finally:
        if db is not None:
            db.dispose()
        if messaging is not None:
            messaging.cleanUp()
        server.stop()
        server.wait()
        market.cleanUp()


TARGETS = {'market': market_target, 'auction': auction_target,
           'provider': provider_target,
           'auction-no-engine': auction_no_engine_target}
# The OpenAPI description each target is fuzzed from.
SPECS = {'auction-no-engine': 'auction'}


def fuzz_api(api, stats, examples, realstack, passwords, nodes=(),
             seed=None, modes=(harness.GenerationMode.POSITIVE,
                               harness.GenerationMode.NEGATIVE)):
    """``examples`` generated cases per operation and generation mode of
    ``api``, every one with a real persona's token, a malformed one or
    none. ``nodes``: the provider's two nodes of org-a. ``api`` may also
    be 'auction-no-engine': the auction API with no engine."""
    schema, raw = harness.load_spec(SPECS.get(api, api))
    operations = [op.ok() for op in schema.get_all_operations()]
    tokens = Tokens(realstack, passwords)
    tmp = pathlib.Path(tempfile.mkdtemp(prefix=f'fuzz-{api}-'))
    try:
        with TARGETS[api](realstack, passwords, tmp, nodes=nodes) as (
                app, objects):
            for operation in operations:
                for mode in modes:
                    harness.fuzz_operation(api, raw, operation, app, stats,
                                           examples, mode,
                                           tokens.personas(), objects, seed)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return stats

