"""Two clouds on one market: what ``flocx-local up --clouds 2`` adds.

Cloud 1 is the market's home cloud: its Keystone is the market's
``[keystone_authtoken]``, its system admin the market's admin, its provider
lends its nodes. Cloud 2 is a member cloud with a Keystone and an Ironic of
its own: the market validates cloud 2's tokens (sent with the header
``OpenStack-Market-Cloud: cloud-2``) against cloud 2's Keystone, through a
validation-only user cloud 2's admin makes for it. A renter of cloud 2 has
no identity in cloud 1: cloud 1's provider makes one per contract
(``[remote_access]``, flocx_provider/remote_access.py).

Each cloud has organizations of its own: cloud 1 ``org-a`` (owns nodes),
``org-b``, ``org-c`` (flocx_local/identity.py), cloud 2 ``org-d`` (owns
nodes) and ``org-e`` (rents). Their projects, users, passwords and Fernet
keys are their own cloud's; the market names cloud 2's projects
``cloud-2:ID``.
"""

import secrets

HOME = 'cloud-1'
MEMBER = 'cloud-2'
CLOUD_HEADER = 'OpenStack-Market-Cloud'
VALIDATOR_USER = 'flocx-market-validator'
# Cloud 2's demo organizations (cloud 1 has identity.DEMO_ORGS).
MEMBER_ORGS = ('org-d', 'org-e')
MEMBER_OWNER, MEMBER_RENTER = MEMBER_ORGS


def make_validator(member):
    """The user cloud 2's admin makes for the market: ``service`` on the
    service project, which lets it validate tokens and nothing more.

    Returns its password (a new one each time; the user is made or reset).
    """
    admin = member.connect('flocx-admin')
    password = secrets.token_urlsafe(16)
    user = admin.identity.find_user(VALIDATOR_USER, domain_id='default')
    if user is None:
        user = admin.identity.create_user(
            name=VALIDATOR_USER, password=password, domain_id='default',
            description='Validates cloud-2 tokens for the FLOCX market')
    else:
        admin.identity.update_user(user, password=password)
    service = admin.identity.get_project(member.project_id('service'))
    role = next(iter(admin.identity.roles(name='service')))
    admin.identity.assign_project_role_to_user(service, user, role)
    return password


def market_sections(member, validator_password):
    """The market's options that make cloud 2 a member cloud."""
    return {
        'federation': {'cloud_name': HOME, 'member_clouds': MEMBER},
        f'cloud:{MEMBER}': {
            'auth_url': member.auth_url,
            'www_authenticate_uri': member.auth_url,
            'username': VALIDATOR_USER, 'password': validator_password,
            'user_domain_name': 'Default', 'project_name': 'service',
            'project_domain_name': 'Default', 'region_name': 'RegionOne',
            # The demo's renter loses its access at its contract's end:
            # a short cache keeps what the market believes close to that.
            'token_cache_time': 10,
        },
    }


def remote_access_section(cloud):
    """A cloud's provider makes identities there for other clouds' renters.

    In production a user who manages the renters' domain; here the local
    cloud's system admin, of that cloud alone.
    """
    return {'enabled': 'true', 'auth_type': 'password',
            'auth_url': cloud.auth_url, 'username': 'admin',
            'password': cloud.password('admin'),
            'user_domain_id': 'default', 'system_scope': 'all'}


def register(market_url, admin_session, clouds):
    """Register the clouds and their organizations on the market.

    ``clouds``: {name: LocalOpenStack}; ``admin_session``: the market
    admin's (cloud 1's system admin). Each demo organization of a cloud
    becomes a market organization of the same name, with that cloud's
    project. Returns {organization name: uuid}.
    """
    def call(method, path, body):
        resp = admin_session.request(f'{market_url}{path}', method,
                                     json=body, raise_exc=False)
        # 409: already there (an earlier ``up`` kept its database).
        if resp.status_code not in (200, 201, 409):
            raise RuntimeError(f'{method} {path} answered '
                               f'{resp.status_code}: {resp.text[:300]}')
        return resp.json() if resp.status_code in (200, 201) else None

    organizations = {}
    for name, cloud in clouds.items():
        call('POST', '/v1/clouds', {
            'name': name, 'keystone_url': cloud.auth_url,
            'description': f'Local cloud {name}',
            'endpoints': {'baremetal': cloud.ironic_url}})
        for org in cloud.state['orgs']:
            created = call('POST', '/v1/organizations', {
                'name': org, 'description': f'Demo organization of {name}'})
            if created is None:
                continue
            organizations[org] = created['uuid']
            call('POST', f'/v1/organizations/{created["uuid"]}/projects',
                 {'cloud': name, 'project_id': cloud.project_id(org)})
    return organizations
