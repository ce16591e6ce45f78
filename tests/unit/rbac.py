"""What the three RBAC matrices share: personas as Keystone tokens, the
endpoints an app routes, and the check of one matrix cell.

Personas (secure RBAC, as in Ironic's and Nova's tests):

    system_admin    system scope, admin (implies manager, member, reader)
    system_reader   system scope, reader
    owner_admin     org-a's project admin (org-a owns the nodes on offer)
    owner_member    org-a, member
    owner_reader    org-a, reader
    renter_member   org-b (bids, rents org-a's node), member
    other_admin     org-c's project admin: unrelated to the objects, the
                    "project admin is not the market's admin" case
    other_member    org-c, member ("another project")
    service         the FLOCX services' user: service role, service project
    domain_reader   a domain-scoped token, reader
    no_token        no X-Auth-Token
    bad_token       an X-Auth-Token Keystone does not know

A matrix (rbac.yaml) names every endpoint once per row; each row has an
``expect`` status per persona and may list uuids a 200 answer must
(``list_includes``) or must not (``list_excludes``) show, and the
``status_reason`` a cancel must record per persona.
"""

import inspect
import re
import uuid

from keystoneauth1 import fixture as ks_fixture
from keystonemiddleware import fixture as ksm_fixture
from pecan import rest

# As Keystone (2024.2 and later) issues them: admin implies manager, which
# implies member, which implies reader.
ADMIN_ROLES = ['admin', 'manager', 'member', 'reader']
MEMBER_ROLES = ['member', 'reader']

# persona: (scope, roles); scope is 'system', 'domain:<id>' or a project.
PERSONAS = {
    'system_admin': ('system', ADMIN_ROLES),
    'system_reader': ('system', ['reader']),
    'owner_admin': ('org-a', ADMIN_ROLES),
    'owner_member': ('org-a', MEMBER_ROLES),
    'owner_reader': ('org-a', ['reader']),
    'renter_member': ('org-b', MEMBER_ROLES),
    'other_admin': ('org-c', ADMIN_ROLES),
    'other_member': ('org-c', MEMBER_ROLES),
    'service': ('service', ['service']),
    'domain_reader': ('domain:default', ['reader']),
    'no_token': None,
    'bad_token': None,
}

# Personas whose answers may tell of every project (and of bids).
MARKET_WIDE = ('system_admin', 'system_reader')


def add_tokens(fixtures, personas):
    """An AuthTokenFixture (keystonemiddleware without Keystone) knowing a
    token ``token-<persona>`` for each persona."""
    tokens = fixtures.useFixture(ksm_fixture.AuthTokenFixture())
    for persona, identity in personas.items():
        if not identity:
            continue
        scope, roles = identity
        token = ks_fixture.V3Token(user_id=f'{persona}-user',
                                   user_domain_id='default')
        if scope == 'system':
            token.set_system_scope()
        elif scope.startswith('domain:'):
            token.set_domain_scope(id=scope.split(':', 1)[1])
        else:
            token.set_project_scope(id=scope, domain_id='default')
        for role in roles:
            token.add_role(name=role)
        tokens.add_token(token, token_id=f'token-{persona}')
    return tokens


def token_headers(persona):
    if persona == 'bad_token':
        return {'X-Auth-Token': 'a-token-keystone-does-not-know'}
    if persona == 'no_token':
        return {}
    return {'X-Auth-Token': f'token-{persona}'}


def _template(path):
    return re.sub(r'\{[^}]*\}', '{}', path.rstrip('/') or '/')


def endpoints(root):
    """{(METHOD, path template)} of every request a pecan root controller
    routes: exposed methods of plain controllers (GET), and get_all,
    get_one, post, put, patch, delete and custom actions of
    RestControllers, recursively."""
    found = set()

    def exposed(obj, name):
        return getattr(getattr(type(obj), name, None), 'exposed', False)

    def ids(controller, name, parents):
        """How many path ids a verb of a nested RestController takes
        beyond its parents' (pecan passes those first): none for a
        sub-resource that is one thing (PUT /v1/contracts/{}/status)."""
        method = getattr(type(controller), name)
        params = [p for p in inspect.signature(method).parameters.values()
                  if p.kind is p.POSITIONAL_OR_KEYWORD][1:]
        return max(len(params) - parents, 0)

    def walk(controller, path, parents=0):
        if isinstance(controller, rest.RestController):
            verbs = {'get_all': ('GET', path), 'get_one': ('GET', path + '/{}'),
                     'post': ('POST', path), 'put': ('PUT', path + '/{}'),
                     'patch': ('PATCH', path + '/{}'),
                     'delete': ('DELETE', path + '/{}')}
            for name, (method, endpoint) in verbs.items():
                if exposed(controller, name):
                    if parents and endpoint != path:
                        endpoint = path + '/{}' * ids(controller, name,
                                                      parents)
                    found.add((method, endpoint))
            for action, methods in getattr(controller, '_custom_actions',
                                           {}).items():
                for method in methods:
                    found.add((method.upper(), f'{path}/{{}}/{action}'))
        elif exposed(controller, 'index'):
            found.add(('GET', path or '/'))
        for name in dir(type(controller)):
            if name.startswith('_') or name in ('index',):
                continue
            attr = getattr(controller, name, None)
            if isinstance(attr, type):
                continue
            if callable(attr) and getattr(attr, 'exposed', False):
                # A RestController's <verb>_<action> serves a custom action
                # (counted above).
                custom = isinstance(controller, rest.RestController) and \
                    name.partition('_')[2] in getattr(
                        controller, '_custom_actions', {})
                if not custom and (
                        not isinstance(controller, rest.RestController) or
                        name not in verbs):
                    found.add(('GET', f'{path}/{name}'))
            elif hasattr(attr, '__dict__') and not callable(attr) and \
                    type(attr).__module__.startswith('flocx_'):
                if isinstance(controller, rest.RestController) and \
                        isinstance(attr, rest.RestController):
                    # Nested: /parent/{id}/child, the id passed first.
                    walk(attr, f'{path}/{{}}/{name}', parents + 1)
                else:
                    walk(attr, f'{path}/{name}', parents)

    walk(root, '')
    return {(method, _template(path)) for method, path in found}


def matrix_endpoints(matrix):
    return {(row['method'], _template(row['path'])) for row in
            matrix.values()}


def check_complete(matrix, personas, root):
    """Every row has every persona, and every endpoint of the app a row."""
    for name, row in matrix.items():
        assert set(row['expect']) == set(personas), name
    routed = endpoints(root)
    covered = matrix_endpoints(matrix)
    # A custom action may also be routed without an id.
    missing = sorted(e for e in routed - covered
                     if (e[0], e[1].replace('/{}/', '/')) not in covered)
    assert not missing, f'endpoints without a row in rbac.yaml: {missing}'
    unknown = sorted(covered - routed)
    assert not unknown, f'rows for endpoints the app does not have: {unknown}'


def check_policy_operations(rules, root):
    """Every request a documented rule names is one the app routes (the
    policy reference and samples list them), and every routed endpoint
    but version discovery is guarded by some documented rule."""
    routed = endpoints(root)
    documented = {(op['method'], _template(op['path']))
                  for rule in rules for op in getattr(rule, 'operations', ())}
    assert documented <= routed, sorted(documented - routed)
    unguarded = sorted(routed - documented - {('GET', '/'), ('GET', '/v1')})
    assert not unguarded, f'endpoints no policy rule documents: {unguarded}'


def check_cell(resp, row, persona, objects, www_authenticate=True):
    """The answer of one cell is what the row expects of the persona."""
    expected = row['expect'][persona]
    assert resp.status_code == expected, (persona, resp.body)
    if expected >= 400:
        [error] = resp.json['errors']
        assert error['status'] == expected
        if expected == 401 and www_authenticate:
            assert 'WWW-Authenticate' in resp.headers
    for key, present in (('list_includes', True), ('list_excludes', False)):
        for obj in row.get(key, {}).get(persona, []):
            assert (objects[obj] in resp.text) is present, (key, obj)
    reason = row.get('status_reason', {}).get(persona)
    if reason is not None:
        assert resp.json['status_reason'] == reason, resp.json


def unknown_uuid():
    return str(uuid.uuid4())
