"""schemathesis against the three APIs as they are deployed.

tests/functional/fuzz/real_keystone.py runs the apps in process on SQLite
and the fake RPC transport. Here each API is its own ``flocx-*-api``
process served by uWSGI (its HTTP router and workers, as the console
scripts serve it), with the market manager, the auction engine and the
provider manager beside them, one process each, as ``flocx-local up
--transport-url ... --database-url ...`` starts them: the market and the
provider on PostgreSQL, every process talking over RabbitMQ, keystonemiddleware
in each API validating real tokens of every secure-RBAC persona with the
local cloud's Keystone, the provider acting on its Ironic. The generated
requests go over HTTP; an answer that does not come within
harness.HTTP_TIMEOUT, or a dropped connection, is a failure.

The PostgreSQL and RabbitMQ servers are private ones (tests/servers.py);
``DeployedFlocx`` makes a database per service and takes a RabbitMQ URL on
a virtual host of the caller's, and drops the databases when it stops.

``python -m tests.unit.fuzz.run --keystone real --shape deployed`` is the
long run; tests/functional/fuzz/test_fuzz_deployed.py the CI-sized one.
"""

import json
import os
import pathlib
import shutil
import tempfile
import time
import uuid as uuidlib

import requests
import sqlalchemy as sa
from sqlalchemy.engine import url as sa_url

from flocx_local import cli
from flocx_local import openstack as local_openstack
from flocx_local import processes
from flocx_market.db import api as market_db_api
from tests.functional.fuzz import real_keystone
from tests.unit.fuzz import harness
from tests.unit.market import base as market_base

SERVICES = ('market', 'auction', 'provider')


class Answer:
    """An HTTP answer as tests/unit/market/test_rbac.make_objects reads
    one (webtest's names)."""

    def __init__(self, resp):
        self.status_code = resp.status_code
        self.body = resp.content
        self.json = resp.json() if resp.content else None


class HttpClient:
    """A persona's client of a served API, by its real token."""

    def __init__(self, base_url, token):
        self.base_url = base_url
        self.session = requests.Session()
        self.session.headers['X-Auth-Token'] = token

    def request(self, method, path, body=None):
        return Answer(self.session.request(
            method, self.base_url + path, json=body, timeout=60))

    def get(self, path):
        return self.request('GET', path)

    def post(self, path, body):
        return self.request('POST', path, body)

    def delete(self, path):
        return self.request('DELETE', path)


def _created(answer):
    assert answer.status_code == 201, (answer.status_code, answer.body)
    return answer.json


class DeployedFlocx:
    """The FLOCX processes of a deployment, in ``run_dir``, on ``cloud``
    (a started LocalOpenStack), a fresh database per service on the
    PostgreSQL server at ``postgresql_url`` and the RabbitMQ URL
    ``transport_url`` (a virtual host of the caller's)."""

    def __init__(self, cloud, passwords, postgresql_url, transport_url,
                 run_dir, api_workers=2, round_interval=5):
        self.cloud = cloud
        self.passwords = passwords
        self.layout = cli.Layout(run_dir)
        self.transport_url = transport_url
        self.server_url = postgresql_url
        self.api_workers = api_workers
        self.round_interval = round_interval
        self.name = f'flocx_fuzz_{uuidlib.uuid4().hex[:8]}'
        self.ports = {s: local_openstack.free_port() for s in SERVICES}
        self.urls = {s: f'http://127.0.0.1:{p}' for s, p in self.ports.items()}
        self.names = []
        self.databases = []

    def database_url(self, service):
        return sa_url.make_url(self.server_url).set(
            database=f'{self.name}_{service}').render_as_string(
                hide_password=False)

    def start(self):
        for path in (self.layout.etc, self.layout.logs, self.layout.pids):
            path.mkdir(parents=True, exist_ok=True)
        try:
            admin = sa.create_engine(self.server_url,
                                     isolation_level='AUTOCOMMIT')
            with admin.connect() as conn:
                for service in ('market', 'provider'):
                    conn.exec_driver_sql(
                        f'CREATE DATABASE {self.name}_{service}')
                    self.databases.append(f'{self.name}_{service}')
            admin.dispose()
            # ("{service}": write_configs names each service's own.)
            database = (self.server_url.rsplit('/', 1)[0] +
                        f'/{self.name}_{{service}}')
            cli.write_configs(self.layout, self.cloud, self.ports,
                              self.transport_url, database,
                              api_workers=self.api_workers,
                              round_interval=self.round_interval)
            for script, service in (('flocx-market-dbsync', 'market'),
                                    ('flocx-provider-dbsync', 'provider')):
                cli._run_step(self.layout, script, [
                    cli._script(script), '--config-file',
                    str(self.layout.conf(service)), 'upgrade'])
            answering = {}
            for name, script, service in cli.separate_processes():
                proc = cli._spawn(self.layout, name, script, service)
                self.names.append(name)
                if script.endswith('-api'):
                    answering[service] = proc
            for service in SERVICES:
                processes.wait_until_answering(
                    service, self.urls[service] + '/healthcheck',
                    answering[service], timeout=120,
                    log_file=self.layout.logs / f'flocx-{service}.log')
        except BaseException:
            self.stop()
            raise
        return self

    def stop_process(self, name):
        processes.stop(name, self.layout.pids / f'{name}.pid',
                       str(self.layout.root), term_timeout=5)

    def stop(self):
        for name in reversed(self.names):
            self.stop_process(name)
        self.names = []
        if self.databases:
            admin = sa.create_engine(self.server_url,
                                     isolation_level='AUTOCOMMIT')
            with admin.connect() as conn:
                for database in self.databases:
                    conn.exec_driver_sql(f'DROP DATABASE IF EXISTS '
                                         f'{database} WITH (FORCE)')
            admin.dispose()
            self.databases = []

    def server_errors_logged(self):
        """ERROR and CRITICAL lines of the services' logs (each is a
        failure the answers might hide)."""
        found = []
        for log in sorted(self.layout.logs.glob('*.log')):
            for line in log.read_text(errors='replace').splitlines():
                if ' ERROR ' in line or ' CRITICAL ' in line:
                    found.append(f'{log.name}: {line[:300]}')
        return found

    # Known objects of each API, made as the parties make them

    def client(self, service, persona, tokens):
        return HttpClient(self.urls[service], tokens[persona])

    def contract(self, tokens, timeout=120):
        """An offer of org-a's and a bid of org-b's that the engine's next
        round gives it: (offer, bid, contract) uuids."""
        service = self.client('market', 'service', tokens)
        renter = self.client('market', 'renter_member', tokens)
        admin = self.client('market', 'system_admin', tokens)
        offer = _created(service.post('/v1/offers', market_base.offer_body(
            project=self.cloud.project_id('org-a'), price=1.0, start=0,
            end=24)))
        bid = _created(renter.post('/v1/bids', market_base.bid_body(
            price=3.0, start=0.1)))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = admin.get(
                f"/v1/contracts?bid_uuid={bid['uuid']}").json['contracts']
            if found:
                return offer['uuid'], bid['uuid'], found[0]['uuid']
            time.sleep(0.5)
        raise AssertionError(f"no contract for bid {bid['uuid']} after "
                             f'{timeout} s: {self.layout.logs}')

    def market_objects(self, tokens):
        service = self.client('market', 'service', tokens)
        renter = self.client('market', 'renter_member', tokens)
        owner = self.cloud.project_id('org-a')
        booked, paid, contract = self.contract(tokens)
        open_offer, closed = (
            _created(service.post('/v1/offers', market_base.offer_body(
                project=owner, resource_class='fuzz-class')))
            for _ in range(2))
        service.delete(f"/v1/offers/{closed['uuid']}")
        bid = _created(renter.post('/v1/bids', market_base.bid_body(
            price=0.5)))   # below every ask: it stays open
        db = market_db_api.Connection(self.database_url('market'))
        try:
            if db.get_cloud('home') is None:
                db.create_cloud({'name': 'home',
                                 'keystone_url': 'https://home.example/v3'})
            org = db.create_organization(
                {'name': f'org-{uuidlib.uuid4()}'})
            db.add_organization_project(org['uuid'], 'home', owner)
            member = uuidlib.uuid4().hex
            db.add_organization_project(org['uuid'], 'home', member)
        finally:
            db.dispose()
        return [open_offer['uuid'], booked, closed['uuid'], bid['uuid'],
                contract, 'home', org['uuid'], member]

    def auction_objects(self, tokens):
        """A round the engine cleared (its last), the bid that won in it
        and its contract."""
        _, won, contract = self.contract(tokens)
        admin = self.client('auction', 'system_admin', tokens)
        rounds = admin.get('/v1/rounds?limit=1').json['rounds']
        return [rounds[0]['id'], won, contract]

    def provider_objects(self, tokens, nodes):
        owner = self.client('provider', 'project_admin', tokens)
        window = {'start_time': market_base.iso(
                      market_base.hours_from_now(1 / 60)),
                  'end_time': market_base.iso(market_base.hours_from_now(5))}
        offer = _created(owner.post('/v1/offers', dict(
            window, node=nodes[0], price=1.5)))
        lease = _created(owner.post('/v1/leases', dict(
            window, node=nodes[1],
            project_id=real_keystone.lessee_project(self.cloud))))
        return [offer['uuid'], lease['uuid']]


# What each fuzzed target is: (served API, its OpenAPI description).
TARGETS = {'market': 'market', 'auction': 'auction', 'provider': 'provider',
           'auction-no-engine': 'auction'}


def fuzz_api(api, stats, examples, flocx, nodes=(), seed=None,
             modes=(harness.GenerationMode.POSITIVE,
                    harness.GenerationMode.NEGATIVE)):
    """``examples`` generated cases per operation and generation mode of
    ``api`` against ``flocx`` (a started DeployedFlocx), each with a real
    persona's token, a malformed one or none. 'auction-no-engine': the
    auction API after the engine was stopped (the caller stops it)."""
    schema, raw = harness.load_spec(TARGETS[api])
    operations = [op.ok() for op in schema.get_all_operations()]
    tokens = real_keystone.Tokens(flocx.cloud, flocx.passwords)
    current = tokens.current()
    if api == 'market':
        objects = flocx.market_objects(current)
    elif api == 'auction':
        objects = flocx.auction_objects(current)
    elif api == 'provider':
        objects = flocx.provider_objects(current, nodes)
    else:
        objects = [str(uuidlib.uuid4())]
    url = flocx.urls[TARGETS[api]]
    for operation in operations:
        for mode in modes:
            harness.fuzz_operation(api, raw, operation, url, stats, examples,
                                   mode, tokens.personas(), objects, seed)
    return stats


def run(apis, examples, stats, postgresql, rabbitmq, no_engine_examples=3,
        seed=None, say=print):
    """The long run: a local cloud, the deployed FLOCX on the private
    ``postgresql`` and ``rabbitmq`` (tests.servers servers), every API in
    ``apis`` fuzzed with ``examples[api]`` cases per operation and mode,
    then the auction API with its engine stopped if 'auction' is in
    ``apis``. Returns the ERROR lines the services logged."""
    from flocx_local import identity

    run_dir = pathlib.Path(tempfile.mkdtemp(prefix='fuzz-deployed-'))
    cloud = local_openstack.LocalOpenStack(
        run_dir / 'openstack', cache_dir=os.environ.get(
            'FLOCX_OPENSTACK_CACHE', local_openstack.DEFAULT_CACHE_DIR))
    vhost = f'flocx-fuzz-{uuidlib.uuid4().hex[:8]}'
    flocx = None
    began = time.monotonic()
    try:
        cloud.start()
        conn = identity.admin_connection(cloud.auth_url,
                                         cloud.password('admin'))
        passwords = identity.ensure_rbac_personas(
            conn, cloud.state['passwords'], cloud.state)
        nodes = cloud.enroll_nodes('org-a', 2)
        rabbitmq.add_vhost(vhost)
        flocx = DeployedFlocx(cloud, passwords, postgresql.url,
                              rabbitmq.vhost_url(vhost),
                              run_dir / 'flocx').start()
        say(f'Keystone {cloud.auth_url}, Ironic {cloud.ironic_url}, '
            f'FLOCX under uWSGI {json.dumps(flocx.urls)} on PostgreSQL '
            f'{postgresql.port} and RabbitMQ {rabbitmq.port} ready in '
            f'{time.monotonic() - began:.0f} s')
        for api in apis:
            began = time.monotonic()
            fuzz_api(api, stats, examples[api], flocx, nodes=nodes,
                     seed=seed)
            say(f'{api}: {stats.requests[api]} requests in '
                f'{time.monotonic() - began:.0f} s')
        if 'auction' in apis:
            for name in flocx.names:
                if name.startswith(cli.ENGINE):
                    flocx.stop_process(name)
            began = time.monotonic()
            fuzz_api('auction-no-engine', stats, no_engine_examples, flocx,
                     seed=seed)
            say(f'auction-no-engine: {stats.requests["auction-no-engine"]} '
                f'requests in {time.monotonic() - began:.0f} s')
        return flocx.server_errors_logged()
    finally:
        if flocx is not None:
            flocx.stop()
        rabbitmq.delete_vhost(vhost)
        cloud.stop()
        shutil.rmtree(run_dir, ignore_errors=True)
