"""Property-based fuzzing of the three FLOCX APIs with schemathesis.

Each API's committed OpenAPI description (tools/openapi.py) drives
schemathesis, which generates requests that fit it (positive) and that do
not (negative); they go to the real WSGI app in process:

* noauth mode, as each persona (X-Project-Id / X-Roles headers);
* keystone mode through keystonemiddleware's auth_token with its
  AuthTokenFixture: the personas' tokens and malformed ones.

Every answer must be below 500, an error must be the API-SIG JSON body with
the same status, and a 2xx must match the documented response schema.
Failures are collected, not raised, so that one run counts everything.

``python -m tests.unit.fuzz.run`` is the long run (tox -e fuzz);
test_fuzz.py the CI-sized one.
"""

import collections
import contextlib
import json
import os
import time

import fixtures
from hypothesis import errors
from hypothesis import HealthCheck
from hypothesis import Phase
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
import jsonschema
from keystonemiddleware import auth_token
from keystonemiddleware import fixture as ksm_fixture
import schemathesis
from schemathesis import GenerationMode
from schemathesis.transport import prepare

from flocx_auction.api import app as auction_app
from flocx_auction.cmd import engine as engine_cmd
from flocx_auction import conf as auction_conf
from flocx_market.cmd import manager as manager_cmd
from flocx_provider.api import app as provider_app
from tests.unit import base
from tests.unit.market import base as market_base
from tests.unit.provider import base as provider_base

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
SPECS = {'market': 'flocx_market/api/openapi.yaml',
         'auction': 'flocx_auction/api/openapi.yaml',
         'provider': 'flocx_provider/api/openapi.yaml'}

# noauth personas: (project, roles). The secure-RBAC personas by their
# standard role names (project admin/member/reader of org-a, another
# project, the service role) plus the older ones the targets use; the
# system-scoped ones are in SYSTEM_PERSONAS (noauth headers only: the
# keystonemiddleware fixture makes project-scoped tokens).
PERSONAS = {
    'admin': ('admin', 'admin,member,reader'),
    'project_admin': ('org-a', 'admin,member,reader'),
    'project_member': ('org-a', 'member,reader'),
    'project_reader': ('org-a', 'reader'),
    'other_project': ('org-c', 'member,reader'),
    'owner_member': ('org-a', 'member,reader'),
    'owner_manager': ('org-a', 'manager,member,reader'),
    'owner_reader': ('org-a', 'reader'),
    'renter_member': ('org-b', 'member,reader'),
    'other_member': ('org-c', 'member,reader'),
    'service': ('service', 'service'),
}

# Tokens keystonemiddleware's fixture knows, and ones it cannot.
KNOWN_TOKENS = {f'token-{p}': identity for p, identity in PERSONAS.items()}
# (Values with leading or trailing blanks or control characters are left
# out: no HTTP client or server passes them on, and requests refuses them.)
MALFORMED_TOKENS = st.one_of(
    st.just(''), st.just('null'), st.just('Bearer x'),
    st.just('x' * 8192), st.just('token-admin '), st.just('TOKEN-ADMIN'),
    st.just('gAAAAA' + 'A' * 180),
    st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7e),
            max_size=300),
    st.text(alphabet=st.characters(min_codepoint=0xa0, max_codepoint=0xff),
            min_size=1, max_size=64)).filter(lambda t: t == t.strip())


class Stats:
    def __init__(self):
        self.requests = collections.Counter()
        self.statuses = collections.defaultdict(collections.Counter)
        self.failures = []
        self.personas = collections.defaultdict(collections.Counter)
        self._seen = set()

    def record(self, api, label, status, persona=None):
        self.requests[api] += 1
        self.statuses[api][status] += 1
        if persona is not None:
            self.personas[(api, persona)][status] += 1

    def fail(self, api, label, problem, request):
        key = (api, label, problem[:80])
        if key in self._seen:
            return
        self._seen.add(key)
        self.failures.append({'api': api, 'operation': label,
                              'problem': problem, 'request': request})

    @property
    def total(self):
        return sum(self.requests.values())

    def summary(self):
        lines = []
        width = max([9] + [len(api) for api in self.requests])
        for api in sorted(self.requests):
            codes = ', '.join(f'{code}: {n}' for code, n in
                              sorted(self.statuses[api].items(), key=str))
            failures = sum(1 for f in self.failures if f['api'] == api)
            lines.append(f'{api:{width}} {self.requests[api]:6} requests, '
                         f'{failures} failures ({codes})')
        lines.append(f'{"total":{width}} {self.total:6} requests, '
                     f'{len(self.failures)} failures')
        lines.append('per persona:')
        for (api, persona), codes in sorted(self.personas.items()):
            shown = ', '.join(f'{c}: {n}' for c, n in
                              sorted(codes.items(), key=str))
            lines.append(f'  {api:{width}} {persona:20} {sum(codes.values()):6} '
                         f'({shown})')
        return '\n'.join(lines)


def _describe(case, persona):
    body = getattr(case, 'body', None)
    try:
        body = json.dumps(body)[:300]
    except (TypeError, ValueError):
        body = repr(body)[:300]
    return (f'{case.method} {case.formatted_path} query={case.query!r} '
            f'headers={case.headers!r} as={persona} body={body}')


def check_response(spec, operation, status, headers, content):
    """What is wrong with one answer, or None."""
    if status == 503 and str(status) in operation.definition.raw.get(
            'responses', {}):
        if not (headers.get('retry-after') or [''])[0]:
            return '503 without Retry-After'
    elif status >= 500:
        return f'server error {status}: {content[:300]!r}'
    content_type = (headers.get('content-type') or [''])[0]
    if status >= 400:
        if not content_type.startswith('application/json'):
            return f'{status} with Content-Type {content_type!r}'
        try:
            errors = json.loads(content)['errors']
            assert errors[0]['status'] == status
            assert isinstance(errors[0]['detail'], str)
        except (ValueError, KeyError, IndexError, TypeError,
                AssertionError):
            return f'{status} without an API-SIG error body: {content[:200]!r}'
        return None
    documented = operation.definition.raw.get('responses', {}).get(
        str(status))
    if documented is None:
        return f'undocumented status {status}'
    if 'content' not in documented:  # e.g. 204: no body
        if content:
            return f'{status} with a body, none documented: {content[:200]!r}'
        return None
    schema = documented['content']['application/json']['schema']
    try:
        document = json.loads(content)
    except ValueError:
        return f'{status} body is not JSON: {content[:200]!r}'
    error = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(
            dict(schema, components=spec['components'])).iter_errors(
                document))
    if error is not None:
        return (f'{status} body does not match the description: '
                f'{error.message[:200]} at /'
                + '/'.join(str(p) for p in error.absolute_path))
    return None


# Seconds a served API (``app`` a base URL) has to answer a request: more
# is a hang, and a failure.
HTTP_TIMEOUT = 30


def _caller(app):
    """case -> response: the WSGI app in process, or the API served at
    ``app`` when it is a base URL (one keep-alive session)."""
    if not isinstance(app, str):
        return lambda case, headers: case.call(app=app, headers=headers)
    import requests
    session = requests.Session()
    return lambda case, headers: case.call(
        base_url=app, session=session, headers=headers,
        timeout=HTTP_TIMEOUT, allow_redirects=False)


def fuzz_operation(api, spec, operation, app, stats, max_examples, mode,
                   personas, path_values=(), seed=None):
    """Run ``max_examples`` generated cases of one operation. ``app``: a
    WSGI app, or the base URL of the API served over HTTP."""
    call = _caller(app)
    strategy = operation.as_strategy(generation_mode=mode)
    path_names = [p['name'] for p in operation.definition.raw.get(
        'parameters', []) if p.get('in') == 'path']
    if path_names and path_values:
        # Known objects too, else every path parameter is a random uuid.
        strategy = st.one_of(strategy, *(
            operation.as_strategy(generation_mode=mode,
                                  path_parameters={path_names[0]: value})
            for value in path_values))
    label = f'{operation.method.upper()} {operation.path}'

    @settings(max_examples=max_examples, deadline=None, database=None,
              derandomize=seed is None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck), report_multiple_bugs=False)
    @given(case=strategy, persona=personas)
    def run(case, persona):
        name, headers = persona
        if _token_left_out(case, headers):
            name = 'no_token'  # a negative case without the token header
        request = None
        try:
            response = call(case, headers)
        except Exception as e:  # an exception escaping the whole stack,
            # a dropped connection or no answer within HTTP_TIMEOUT
            stats.record(api, label, 'exception', name)
            stats.fail(api, label, f'exception {e!r}',
                       _describe(case, name))
            return
        stats.record(api, label, response.status_code, name)
        try:
            problem = check_response(spec, operation, response.status_code,
                                     response.headers, response.content)
        except Exception as e:  # a check that cannot judge the answer
            problem = f'cannot check {response.status_code}: {e!r}'
        if problem:
            request = _describe(case, name)
            stats.fail(api, label, problem, request)

    if seed is not None:
        from hypothesis import seed as hseed
        run = hseed(seed)(run)
    try:
        run()
    except errors.Unsatisfiable:
        # Nothing to negate (e.g. GET / has no parameters at all).
        pass


def _token_left_out(case, headers):
    """Whether schemathesis leaves X-Auth-Token out of this request: a
    negative case that tests a missing required header drops it after our
    headers are merged in, so the request goes without a token."""
    if not any(k.lower() == 'x-auth-token' for k in headers):
        return False
    excluded = {h.lower() for h in prepare.get_exclude_headers(case)}
    return 'x-auth-token' in excluded


SYSTEM_PERSONAS = {'system_admin': 'admin,member,reader',
                   'system_reader': 'reader'}


def noauth_personas():
    project_scoped = [
        (name, {'X-Project-Id': project, 'X-Roles': roles,
                'X-User-Id': f'{name}-user'})
        for name, (project, roles) in sorted(PERSONAS.items())]
    # keystonemiddleware's header for a system-scoped token.
    system_scoped = [
        (name, {'X-Project-Id': '', 'X-Roles': roles,
                'OpenStack-System-Scope': 'all',
                'X-User-Id': f'{name}-user'})
        for name, roles in sorted(SYSTEM_PERSONAS.items())]
    return st.sampled_from(project_scoped + system_scoped)


def keystone_personas():
    known = st.sampled_from(sorted(KNOWN_TOKENS)).map(
        lambda token: (token, {'X-Auth-Token': token}))
    malformed = MALFORMED_TOKENS.map(
        lambda token: ('malformed', {'X-Auth-Token': token}))
    missing = st.just(('no_token', {}))
    return st.one_of(known, malformed, missing)


def add_tokens(stack):
    tokens = stack.useFixture(ksm_fixture.AuthTokenFixture())
    for token, (project, roles) in KNOWN_TOKENS.items():
        tokens.add_token_data(token_id=token, user_id=f'{token}-user',
                              project_id=project, role_list=roles.split(','))


# The apps, each with a few known objects.

def _created(resp):
    assert resp.status_code == 201, resp.body
    return resp.json['uuid']


def client(app, persona, keystone):
    """A test client as ``persona``, by headers or by token."""
    project, roles = PERSONAS[persona]
    c = base.Client(app, project=project, roles=roles)
    if keystone:
        c.headers = {'X-Auth-Token': f'token-{persona}'}
    return c


WWW_AUTHENTICATE = 'https://keystone.example.com/identity'


def use_keystone(conf):
    """auth_strategy = keystone, and the public Keystone URI that
    keystonemiddleware names in WWW-Authenticate (without it, and without
    service credentials, every 401 would become a 500)."""
    for group, opts in auth_token.list_opts():
        conf.register_opts(opts, group=group)
    conf.set_override('auth_strategy', 'keystone')
    conf.set_override('www_authenticate_uri', WWW_AUTHENTICATE,
                      group='keystone_authtoken')


def market_target(stack, keystone=False):
    overrides = {}
    if keystone:
        overrides = {'auth_strategy': 'keystone',
                     'keystone_authtoken.www_authenticate_uri':
                         WWW_AUTHENTICATE}
    market = stack.useFixture(market_base.MarketFixture(**overrides))
    svc = client(market.app, 'service', keystone)
    renter = client(market.app, 'renter_member', keystone)
    offers = [_created(svc.post('/v1/offers', market_base.offer_body()))
              for _ in range(3)]
    bids = [renter.post('/v1/bids', market_base.bid_body()).json
            for _ in range(2)]
    contract = market.db.commit_award(market_base.award_for(
        bids[1], [market.db.get_offer(offers[1])]))
    return market.app, offers + [bids[0]['uuid'], contract['uuid']]


def auction_target(stack, keystone=False):
    market = stack.useFixture(market_base.MarketFixture())
    manager = manager_cmd.ManagerService(market.conf, market.services)
    manager.start()
    stack.addCleanup(manager.stop)
    state = stack.useFixture(fixtures.TempDir()).path
    overrides = {'auth_strategy': 'noauth', 'auction.state_path': state,
                 'auction.round_interval': 3600}
    conf = stack.useFixture(base.ConfFixture(
        auction_conf.register_opts, **overrides)).conf
    if keystone:
        use_keystone(conf)
    engine = engine_cmd.EngineService(conf)
    engine.start()
    stack.addCleanup(engine.stop)
    _wait(lambda: engine.engine.last_round)
    svc = client(market.app, 'service', False)
    renter = client(market.app, 'renter_member', False)
    _created(svc.post('/v1/offers', market_base.offer_body(price=1.0)))
    _created(renter.post('/v1/bids', market_base.bid_body(price=3.0)))
    _wait(lambda: engine.engine.book.sizes()['bids'] >= 1)
    summary = engine.engine.run_round(reload=True)
    return auction_app.setup_app(conf), [summary['id']]


def _wait(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.02)


def provider_target(stack, keystone=False):
    fx = stack.useFixture(provider_base.ProviderFixture())
    if keystone:
        use_keystone(fx.conf)
        fx.app = provider_app.setup_app(fx.conf, fx.services)
    node = fx.ironic.add_node('org-a', name='a-node-0')
    lent = fx.ironic.add_node('org-a', name='a-node-1')
    fx.ironic.add_node('org-b', name='b-node-0')
    owner = client(fx.app, 'owner_manager', keystone)
    start = provider_base.iso(provider_base.from_now(minutes=1))
    end = provider_base.iso(provider_base.from_now(hours=5))
    offer = _created(owner.post('/v1/offers', {
        'node': node.id, 'start_time': start, 'end_time': end,
        'price': 1.5}))
    lease = _created(owner.post('/v1/leases', {
        'node': lent.id, 'project_id': 'org-a-dev', 'start_time': start,
        'end_time': end}))
    return fx.app, [offer, lease]


TARGETS = {'market': market_target, 'auction': auction_target,
           'provider': provider_target}


def load_spec(api):
    path = os.path.join(ROOT, SPECS[api])
    schema = schemathesis.openapi.from_path(path)
    return schema, schema.raw_schema


@contextlib.contextmanager
def target(api, keystone=False):
    stack = fixtures.Fixture()
    stack.setUp()
    try:
        if keystone:
            add_tokens(stack)
        app, objects = TARGETS[api](stack, keystone)
        yield app, objects
    finally:
        stack.cleanUp()


def fuzz_api(api, stats, examples, keystone_examples=0, seed=None,
             modes=(GenerationMode.POSITIVE, GenerationMode.NEGATIVE)):
    """Fuzz every operation of ``api``: ``examples`` per operation and mode
    in noauth mode, ``keystone_examples`` through keystonemiddleware."""
    schema, raw = load_spec(api)
    operations = [op.ok() for op in schema.get_all_operations()]
    runs = [(False, examples, noauth_personas())]
    if keystone_examples:
        runs.append((True, keystone_examples, keystone_personas()))
    for keystone, count, personas in runs:
        with target(api, keystone) as (app, objects):
            for operation in operations:
                for mode in modes:
                    fuzz_operation(api, raw, operation, app, stats, count,
                                   mode, personas, objects, seed)
    return stats
