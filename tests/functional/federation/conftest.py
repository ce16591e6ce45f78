"""A second real cloud (its own Keystone and Ironic) beside ``realstack``."""

import os
import secrets
import shutil

from keystoneauth1 import loading
import pytest

from flocx_common.api import clouds
from flocx_local import openstack as local_openstack
from tests.unit.market import base as market_base


@pytest.fixture(scope='session')
def second_cloud(realstack, tmp_path_factory):
    """Cloud B: another LocalOpenStack, with Fernet keys of its own.

    Restored from the same snapshot as ``realstack``, it has the same project
    ids and passwords: which is what clouds must never be confused by.
    """
    run_dir = tmp_path_factory.mktemp('cloud-b')
    cloud = local_openstack.LocalOpenStack(
        run_dir, cache_dir=os.environ.get('FLOCX_OPENSTACK_CACHE',
                                          local_openstack.DEFAULT_CACHE_DIR))
    try:
        cloud.start()
        yield cloud
    finally:
        cloud.stop()
        shutil.rmtree(run_dir, ignore_errors=True)


@pytest.fixture(scope='module')
def validator_b(second_cloud):
    """The user cloud B's admin creates for the market: 'service' on the
    service project, which lets it validate tokens and nothing more."""
    admin = second_cloud.connect('flocx-admin')
    password = secrets.token_urlsafe(12)
    service = admin.identity.get_project(second_cloud.project_id('service'))
    user = admin.identity.create_user(name='flocx-market-validator',
                                      password=password, domain_id='default')
    role = next(iter(admin.identity.roles(name='service')))
    admin.identity.assign_project_role_to_user(service, user, role)
    yield {'username': user.name, 'password': password}
    admin.identity.delete_user(user)


@pytest.fixture
def market(realstack, second_cloud, validator_b):
    """The market of cloud A, taking cloud B's tokens too."""
    home = {'www_authenticate_uri': realstack.auth_url,
            'auth_type': 'password', 'auth_url': realstack.auth_url,
            'username': 'flocx', 'password': realstack.password('flocx'),
            'project_name': 'service', 'user_domain_name': 'Default',
            'project_domain_name': 'Default'}

    def register(conf):
        # What keystonemiddleware registers when it loads its plugin; as
        # defaults, since a required option must be set before parsing.
        password_opts = loading.get_auth_plugin_conf_options('password')
        conf.register_opts(password_opts, group='keystone_authtoken')
        for name, value in home.items():
            conf.set_default(name, value, group='keystone_authtoken')
        conf.register_opts(clouds.member_cloud_opts, group='cloud:cloud-b')
        conf.set_default('auth_url', second_cloud.auth_url,
                         group='cloud:cloud-b')

    fixture = market_base.MarketFixture(register=register, **{
        'auth_strategy': 'keystone',
        'federation.cloud_name': 'cloud-a',
        'federation.member_clouds': ['cloud-b'],
        'cloud:cloud-b.username': validator_b['username'],
        'cloud:cloud-b.password': validator_b['password'],
    })
    fixture.setUp()
    yield fixture
    fixture.cleanUp()
