"""Real Keystone tokens for the RBAC matrices' personas.

USERS maps each persona of tests/unit/rbac.py to a user of the local
cloud's Keystone (flocx_local/identity.py, with the personas
ensure_rbac_personas adds) and the scope its token is asked for.
"""

from keystoneauth1.identity import v3
from keystoneauth1 import session as ks_session

from tests.unit import base as ubase
from tests.unit import rbac

# persona: (Keystone user, scope); scope is 'system', 'domain' or an
# organization's project name. The roles each token must carry are
# tests/unit/rbac.PERSONAS' (Keystone's implied roles included).
USERS = {
    'system_admin': ('admin', 'system'),
    'system_reader': ('system-reader', 'system'),
    'owner_admin': ('org-a-admin', 'org-a'),
    'owner_member': ('org-a-member', 'org-a'),
    'owner_reader': ('org-a-reader', 'org-a'),
    'renter_member': ('org-b-member', 'org-b'),
    'other_admin': ('org-c-admin', 'org-c'),
    'other_member': ('org-c-member', 'org-c'),
    'service': ('flocx', 'service'),
    'domain_reader': ('domain-reader', 'domain'),
}
assert set(USERS) | {'no_token', 'bad_token'} == set(rbac.PERSONAS)


def keystone_auth(realstack, passwords, persona):
    user, scope = USERS[persona]
    kwargs = {'auth_url': realstack.auth_url, 'username': user,
              'password': passwords.get(user) or realstack.password(user),
              'user_domain_id': 'default'}
    if scope == 'system':
        kwargs['system_scope'] = 'all'
    elif scope == 'domain':
        kwargs['domain_id'] = 'default'
    else:
        kwargs['project_id'] = realstack.project_id(scope)
    return v3.Password(**kwargs)


def write_conf(path, realstack, sections, token_cache_time=None):
    """A service's config file: keystonemiddleware against the local
    cloud's Keystone (as the flocx service user), the fake RPC transport,
    and ``sections`` ({section: {key: value}}) on top."""
    authtoken = {
        'auth_type': 'password', 'auth_url': realstack.auth_url,
        'www_authenticate_uri': realstack.auth_url, 'username': 'flocx',
        'password': realstack.password('flocx'),
        'user_domain_id': 'default', 'project_name': 'service',
        'project_domain_id': 'default', 'region_name': 'RegionOne',
        'interface': 'public'}
    if token_cache_time is not None:
        authtoken['token_cache_time'] = str(token_cache_time)
    merged = {'DEFAULT': {'auth_strategy': 'keystone',
                          'transport_url': 'fake:/'},
              'keystone_authtoken': authtoken,
              'oslo_messaging_notifications': {'driver': 'test'}}
    for section, values in sections.items():
        merged[section] = dict(merged.get(section, {}), **values)
    lines = []
    for section, values in merged.items():
        lines.append(f'[{section}]')
        lines.extend(f'{key} = {value}' for key, value in values.items())
    path.write_text('\n'.join(lines) + '\n')
    path.chmod(0o600)


class RealTokens:
    """A real token per persona, and clients of ``self.app`` with them."""

    def get_tokens(self, realstack, passwords):
        self.realstack = realstack
        self.www_authenticate = realstack.auth_url
        self.auths = {persona: keystone_auth(realstack, passwords, persona)
                      for persona in USERS}
        self.tokens = {persona: ks_session.Session(
            auth=self.auths[persona]).get_token() for persona in USERS}

    def client(self, persona):
        client = ubase.Client(self.app)
        if persona == 'no_token':
            client.headers = {}
        elif persona == 'bad_token':
            client.headers = rbac.token_headers(persona)
        else:
            client.headers = {'X-Auth-Token': self.tokens[persona]}
        return client


def check_token_is_the_persona(holder, persona):
    """Keystone issued the persona's token with the scope and roles the
    matrices mean."""
    access = holder.auths[persona].get_access(
        ks_session.Session(auth=holder.auths[persona]))
    scope, roles = rbac.PERSONAS[persona]
    assert set(access.role_names) == set(roles), access.role_names
    if scope == 'system':
        assert access.system_scoped and access.project_id is None
    elif scope.startswith('domain:'):
        assert access.domain_scoped and access.project_id is None
    else:
        assert not access.system_scoped
        assert access.project_id == holder.realstack.project_id(
            USERS[persona][1])
