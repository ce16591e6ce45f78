"""Keystone content of a local cloud: projects, users, roles, catalog, clouds.yaml.

Who is who:

``admin``
    Created by ``keystone-manage bootstrap``: admin on the system (used with
    system scope) and on the ``admin`` project.
``ironic``
    Ironic's keystonemiddleware user: ``service`` on the ``service`` project,
    which lets it validate tokens and nothing more.
``flocx``
    The FLOCX services' user. ``service`` on the ``service`` project (to
    validate tokens in keystonemiddleware) and ``service`` on each owner
    organization that lets FLOCX lend its nodes. In Ironic that role reaches
    only nodes *owned* by that project; see ironic_patches/README.rst.
``<org>-member``, ``<org>-reader``, ``<org>-manager``
    Demo tenant users with the named role on their organization's project.
``<org>-admin`` (small owners only)
    A project admin: Ironic lets it enroll nodes owned by its own project.
"""
import secrets

import openstack.connection
import yaml

REGION = 'RegionOne'
DOMAIN = 'default'
SERVICE_PROJECT = 'service'
DEMO_ORGS = ('org-a', 'org-b', 'org-c')
ORG_ROLES = ('member', 'reader', 'manager')
# Organizations without an operator: they enroll their own nodes as a
# project admin (Ironic's [api] project_admin_can_manage_own_nodes).
SMALL_OWNER_ORGS = ('org-c',)
FLOCX_USER = 'flocx'
IRONIC_USER = 'ironic'
ADMIN_USER = 'admin'
SERVICE_NAMES = {'baremetal': 'ironic', 'marketplace': 'flocx-market',
                 'auction': 'flocx-auction', 'provider': 'flocx-provider'}


def new_passwords(orgs=DEMO_ORGS, small_owner_orgs=SMALL_OWNER_ORGS):
    users = [ADMIN_USER, IRONIC_USER, FLOCX_USER]
    for org in orgs:
        users += [f'{org}-{role}' for role in org_roles(org, small_owner_orgs)]
    return {user: secrets.token_urlsafe(12) for user in users}


def org_roles(org, small_owner_orgs=SMALL_OWNER_ORGS):
    return ORG_ROLES + (('admin',) if org in small_owner_orgs else ())


def admin_connection(auth_url, admin_password):
    """A system-scoped admin connection to Keystone (and, via the catalog, Ironic)."""
    return openstack.connection.Connection(
        auth_url=auth_url, username=ADMIN_USER, password=admin_password,
        user_domain_id=DOMAIN, system_scope='all', region_name=REGION,
        identity_api_version='3')


def populate(conn, passwords, orgs=DEMO_ORGS,
             small_owner_orgs=SMALL_OWNER_ORGS):
    """Create the service users, the demo organizations and their users.

    Returns the ids as {'projects': {name: id}, 'orgs': {org: {'project_id':,
    'users': {user: role}}}}.
    """
    identity = conn.identity
    roles = {role.name: role for role in identity.roles()}

    def project(name):
        return identity.create_project(name=name, domain_id=DOMAIN)

    def user(name, home_project, role_name, *more_projects):
        user = identity.create_user(name=name, password=passwords[name],
                                    domain_id=DOMAIN,
                                    default_project_id=home_project.id)
        for p in (home_project, *more_projects):
            identity.assign_project_role_to_user(p, user, roles[role_name])
        return user

    service = project(SERVICE_PROJECT)
    org_projects = {org: project(org) for org in orgs}
    user(IRONIC_USER, service, 'service')
    # Every demo organization lets FLOCX lend its nodes.
    user(FLOCX_USER, service, 'service', *org_projects.values())
    ids = {'projects': {SERVICE_PROJECT: service.id}, 'orgs': {}}
    for org, proj in org_projects.items():
        users = {}
        for role in org_roles(org, small_owner_orgs):
            user(f'{org}-{role}', proj, role)
            users[f'{org}-{role}'] = role
        ids['projects'][org] = proj.id
        ids['orgs'][org] = {'project_id': proj.id, 'users': users}
    return ids


def register_service(conn, service_type, url):
    """Create or repoint the catalog entry (public and internal) for a service type."""
    identity = conn.identity
    service = next(iter(identity.services(type=service_type)), None)
    if service is None:
        service = identity.create_service(
            name=SERVICE_NAMES.get(service_type, service_type),
            type=service_type)
    endpoints = {e.interface: e for e in identity.endpoints(
        service_id=service.id)}
    for interface in ('public', 'internal'):
        if interface in endpoints:
            identity.update_endpoint(endpoints[interface], url=url)
        else:
            identity.create_endpoint(service_id=service.id, url=url,
                                     interface=interface, region_id=REGION)


def clouds(auth_url, passwords, ids):
    """The clouds.yaml content: one cloud per user and scope."""
    def cloud(username, **scope):
        auth = {'auth_url': auth_url, 'username': username,
                'password': passwords[username], 'user_domain_id': DOMAIN,
                **scope}
        if 'project_name' in scope:
            auth['project_domain_id'] = DOMAIN
        return {'auth': auth, 'region_name': REGION,
                'identity_api_version': '3', 'interface': 'public'}

    result = {'flocx-admin': cloud(ADMIN_USER, system_scope='all'),
              'flocx-service': cloud(FLOCX_USER,
                                     project_name=SERVICE_PROJECT)}
    for org, org_ids in ids['orgs'].items():
        result[f'flocx-service-{org}'] = cloud(FLOCX_USER, project_name=org)
        for username in org_ids['users']:
            result[f'flocx-{username}'] = cloud(username, project_name=org)
    return {'clouds': result}


def write_clouds_yaml(path, auth_url, passwords, ids):
    with open(path, 'w') as f:
        yaml.safe_dump(clouds(auth_url, passwords, ids), f, sort_keys=False)


# The secure-RBAC personas the functional RBAC tests need besides the demo
# users (tests/functional/rbac): user -> (scope, role). Added on demand to a
# running cloud by ensure_rbac_personas, so that the snapshot of a local
# cloud stays as it is.
RBAC_PERSONAS = {
    # Reads the whole market (every project's bids, with their prices).
    'system-reader': ('system', 'reader'),
    # The admin of the organization that owns the nodes on offer: an admin
    # of org-a's business only, never of the market.
    'org-a-admin': ('project:org-a', 'admin'),
    # A project admin of an unrelated organization (populate makes it for
    # a small owner; made here if the layout has no such user).
    'org-c-admin': ('project:org-c', 'admin'),
    # A domain-scoped token, which no FLOCX API accepts.
    'domain-reader': ('domain', 'reader'),
}


def ensure_rbac_personas(conn, passwords, ids, personas=RBAC_PERSONAS):
    """Create the users of ``personas`` that do not exist yet, with their
    role on the system, the default domain or an organization's project.

    Returns {user: password} for every persona (known passwords are kept;
    ``passwords`` is not changed).
    """
    identity = conn.identity
    roles = {role.name: role for role in identity.roles()}
    result = {}
    for name, (scope, role_name) in personas.items():
        existing = identity.find_user(name, domain_id=DOMAIN)
        if existing is not None and name in passwords:
            result[name] = passwords[name]
            continue
        password = secrets.token_urlsafe(12)
        if existing is not None:
            user = identity.update_user(existing, password=password)
        else:
            user = identity.create_user(name=name, password=password,
                                        domain_id=DOMAIN)
        role = roles[role_name]
        if scope == 'system':
            identity.assign_system_role_to_user(user, role, 'all')
        elif scope == 'domain':
            identity.assign_domain_role_to_user(DOMAIN, user, role)
        else:
            project = ids['projects'][scope.split(':', 1)[1]]
            identity.assign_project_role_to_user(project, user, role)
        result[name] = password
    return result
