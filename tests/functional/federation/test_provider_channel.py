"""A member cloud's provider reaches the market through its API, as its own
cloud's service user, and carries out a contract for a renter of the home
cloud.

Cloud A (``realstack``) is the market's home; cloud B (``second_cloud``) has
its own Keystone and Ironic and its own provider, with ``[market] channel =
rest``: no bus of the market's, and no credential of cloud A. The market
(served over HTTP here) has cloud B's Keystone validate that provider's
token, and takes from it only cloud B's offers and reports on cloud B's
nodes. The renter's identity in cloud B stops working as soon as it gives
the node back early (test_remote_access.py: at the planned end).
"""

import datetime
import decimal
import threading
import time
import uuid
from wsgiref import simple_server

import openstack.connection
from keystoneauth1 import exceptions as ks_exceptions
from oslo_config import cfg
from oslo_messaging import conffixture
from oslo_utils import timeutils
import pytest
import requests

from flocx_common.api import errors
from flocx_common import context
from flocx_market.api.v1 import offers as offers_api
from flocx_provider import conf as provider_conf
from flocx_provider.db import api as provider_db_api
from flocx_provider.db import migration
from flocx_provider import manager as provider_manager
from flocx_provider import market_client
from flocx_provider import provider as provider_service
from tests.functional.fixtures.provider_stack import iso
from tests.unit.market import base as market_base


class _Quiet(simple_server.WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def market_url(market):
    """The two-cloud market, served over HTTP on loopback."""
    server = simple_server.make_server('127.0.0.1', 0, market.app,
                                       handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f'http://127.0.0.1:{server.server_port}'
    server.shutdown()
    server.server_close()


@pytest.fixture
def cloud_b_provider(second_cloud, market_url, tmp_path):
    """Cloud B's provider: its Ironic, its Keystone, the market's API."""
    b = second_cloud
    flocx_b = {'auth_type': 'password', 'auth_url': b.auth_url,
               'username': 'flocx', 'password': b.password('flocx'),
               'user_domain_id': 'default'}
    sections = {
        'DEFAULT': {'transport_url': 'fake:/'},
        'provider': {'name': 'cloud-b-provider', 'retry_interval': '0.5'},
        'ironic': dict(flocx_b, region_name='RegionOne',
                       valid_interfaces='public'),
        'market': dict(flocx_b, channel='rest', cloud='cloud-b',
                       project_name='service', project_domain_id='default',
                       endpoint_override=market_url),
        # Cloud B makes identities for renters of other clouds; its admin
        # credential stays in cloud B's provider.
        'remote_access': {'enabled': 'true', 'auth_type': 'password',
                          'auth_url': b.auth_url, 'username': 'admin',
                          'password': b.password('admin'),
                          'user_domain_id': 'default',
                          'system_scope': 'all'},
        'oslo_messaging_notifications': {'driver': 'test'},
    }
    path = tmp_path / 'provider-b.conf'
    path.write_text(''.join(
        f'[{section}]\n' + ''.join(f'{k} = {v}\n' for k, v in values.items())
        for section, values in sections.items()))
    conf = cfg.ConfigOpts()
    provider_conf.register_opts(conf)
    conf(['--config-file', str(path)], project='flocx')
    messaging = conffixture.ConfFixture(conf)
    messaging.setUp()
    db = provider_db_api.Connection(f'sqlite:///{tmp_path}/provider-b.sqlite')
    migration.upgrade(db.get_engine())
    services = provider_service.build_services(conf, db=db)
    yield services
    db.dispose()
    messaging.cleanUp()


def _home_contract(market, realstack, renter, seconds=30, node=None):
    """A contract of the home cloud's renter on a node offered in cloud A
    (straight to the market: the engine's part is not under test)."""
    admin = context.get_admin_context(market.services.enforcer)
    offer = market.services.market.create_offer(
        admin, offers_api.offer_values(market.conf, market_base.offer_body(
            project=realstack.project_id('org-a'), start=0, end=2,
            resource_uuid=node)))
    return offer, _award(market, renter, offer, seconds)


def _award(market, renter, offer, seconds):
    admin = context.get_admin_context(market.services.enforcer)
    start = timeutils.utcnow().replace(microsecond=0) + \
        datetime.timedelta(seconds=2)
    bid = market.db.create_bid({
        'project_id': renter, 'quantity': 1, 'resource_class': None,
        'constraints': [], 'start_time': start, 'latest_start_time': start,
        'duration': seconds, 'price': 3, 'decide_by': None})
    return market.services.market.commit_awards(admin, 'round-1', [{
        'uuid': str(uuid.uuid4()), 'bid_uuid': bid['uuid'],
        'start_time': start,
        'end_time': start + datetime.timedelta(seconds=seconds),
        'price': 3, 'nodes': [{'offer_uuid': offer['uuid'],
                               'price': 2}]}])['accepted'][0]


def _sweep_until(manager, predicate, timeout, what):
    """Sweep as the manager's loop would, every half second."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        manager.sweep()
        if predicate():
            return
        time.sleep(0.5)
    raise AssertionError(f'timed out waiting for {what}')


def _connection(access):
    return openstack.connection.Connection(
        auth_type='v3applicationcredential', region_name='RegionOne',
        identity_api_version='3', auth={
            'auth_url': access['auth_url'],
            'application_credential_id': access['application_credential_id'],
            'application_credential_secret':
                access['application_credential_secret']})


def test_a_member_clouds_provider_rents_to_the_home_cloud_through_the_api(
        realstack, second_cloud, market, market_url, cloud_b_provider):
    b = second_cloud
    org_b = b.project_id('org-b')
    acme = market.db.create_organization({'name': 'acme'})
    market.db.create_cloud({'name': 'cloud-b', 'keystone_url': b.auth_url})
    market.db.add_organization_project(acme['uuid'], 'cloud-b', org_b)
    [node] = b.enroll_nodes('org-b', 1)
    provider = cloud_b_provider.provider
    ctx = context.get_admin_context(cloud_b_provider.enforcer)
    assert isinstance(provider.market, market_client.MarketREST)

    # Cloud B's owner offers its node: Ironic B vouches for the owner,
    # Keystone B for the provider; the market places it in cloud B.
    now = timeutils.utcnow()
    # The price as the owner wrote it, to the sixth place (it crosses the
    # market's REST API as JSON text, never as a float).
    local = provider.create_offer(ctx, org_b, node, now,
                                  now + datetime.timedelta(hours=1),
                                  decimal.Decimal('1.123457'))
    offer = market.db.get_offer(local['market_offer_uuid'])
    assert (offer['uuid'], offer['cloud'], offer['project_id'],
            offer['price']) == (local['uuid'], 'cloud-b', f'cloud-b:{org_b}',
                                decimal.Decimal('1.123457'))

    # Forgeries, refused: cloud B's provider offering a node cloud A has on
    # the market, and reporting on a contract on cloud A's node.
    renter = realstack.project_id('org-c')
    home_offer, home_contract = _home_contract(market, realstack, renter)
    with pytest.raises(errors.Conflict, match='node of cloud cloud-a'):
        provider.market.publish_offer(ctx, dict(
            market_base.offer_body(project=org_b, start=60, end=70,
                                   resource_uuid=home_offer['resource_uuid']),
            provider='cloud-b-provider'))
    for forge in (
            lambda: provider.market.update_contract(
                ctx, home_contract['uuid'], 'failed', 'forged'),
            lambda: provider.market.report_delivery(
                ctx, home_contract['uuid'], home_offer['resource_uuid'],
                lent_at=iso(timeutils.utcnow())),
            lambda: provider.market.set_contract_access(
                ctx, home_contract['uuid'], {'secret': 'forged'})):
        with pytest.raises(errors.NotFound):
            forge()
    untouched = market.db.get_contract(home_contract['uuid'])
    assert untouched['status'] == 'scheduled'
    assert untouched['nodes'][0]['lent_at'] is None
    assert market.db.get_contract_access(home_contract['uuid']) is None
    # Nor does it see cloud A's contract at all.
    assert home_contract['uuid'] not in [
        c['uuid'] for c in provider.market.list_contracts(ctx, None)]

    # A renter of the home cloud rents cloud B's node. Cloud B's provider
    # hears of it by asking the API, lends the node to a project of cloud B
    # made for that renter, and hands the renter its credential.
    contract = _award(market, renter, offer, seconds=600)
    manager = provider_manager.ProviderManager(
        cloud_b_provider, executor=provider_manager.InlineExecutor())
    _sweep_until(manager, lambda: market.db.get_contract(
        contract['uuid'])['status'] == 'active', 40, 'the contract to start')
    renter_token = realstack.connect('flocx-org-c-member').auth_token
    resp = requests.get(
        f'{market_url}/v1/contracts/{contract["uuid"]}/access', timeout=30,
        headers={'X-Auth-Token': renter_token})
    assert resp.status_code == 200, resp.text
    access = resp.json()['access']
    assert access['auth_url'] == b.auth_url
    renter_b = _connection(access)
    assert [n.id for n in renter_b.baremetal.nodes()] == [node]
    lent = market.db.get_contract(contract['uuid'])['nodes'][0]
    assert lent['lent_at'] is not None

    # The renter gives the node back early: the node comes back and the
    # credential stops working at once, well before the planned end.
    resp = requests.post(
        f'{market_url}/v1/contracts/{contract["uuid"]}/return', timeout=30,
        headers={'X-Auth-Token': renter_token,
                 'OpenStack-API-Version': 'marketplace 1.1'})
    assert resp.status_code == 200, resp.text
    _sweep_until(manager, lambda: market.db.get_contract(
        contract['uuid'])['nodes'][0]['reclaimed_at'] is not None, 60,
        'the node to be reclaimed')
    with pytest.raises(ks_exceptions.NotFound, match='Application Cred'):
        _connection(access).session.get_token()
    assert timeutils.utcnow() < timeutils.normalize_time(
        timeutils.parse_isotime(contract['end_time']))
    node_b = b.connect('flocx-admin').baremetal.get_node(node)
    assert node_b.lessee is None
    assert requests.get(
        f'{market_url}/v1/contracts/{contract["uuid"]}/access', timeout=30,
        headers={'X-Auth-Token': renter_token}).status_code == 404
    b.connect('flocx-admin').baremetal.delete_node(node)
