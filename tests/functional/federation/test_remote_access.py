"""A renter of another cloud uses its node, with an identity that ends with the contract.

Real Keystone and Ironic (``realstack``, the nodes' cloud); the renter is
``cloud-b:<project>``: it has no identity here until its contract starts.
"""

import datetime
import uuid

import openstack.connection
from openstack import exceptions as sdk_exceptions
from keystoneauth1 import exceptions as ks_exceptions
from oslo_utils import timeutils
import pytest
import requests

from flocx_common import context
from flocx_provider import ironic
from tests.functional.fixtures.provider_stack import (
    call, iso, POLL_INTERVAL, wait_for)
from tests.unit import base as ubase

RENTER = 'cloud-b:0123456789abcdef0123456789abcdef'


@pytest.fixture
def provider_extra_conf(realstack):
    # In production a user who manages the renters' domain; here the
    # local cloud's system admin.
    return {'remote_access': {
        'enabled': 'true', 'auth_type': 'password',
        'auth_url': realstack.auth_url, 'username': 'admin',
        'password': realstack.password('admin'),
        'user_domain_id': 'default', 'system_scope': 'all'}}


def _renter_connection(access):
    return openstack.connection.Connection(
        auth_type='v3applicationcredential',
        auth={'auth_url': access['auth_url'],
              'application_credential_id':
                  access['application_credential_id'],
              'application_credential_secret':
                  access['application_credential_secret']},
        region_name='RegionOne', identity_api_version='3')


def test_a_renter_of_another_cloud_deploys_then_loses_access(
        realstack, make_nodes, flocx):
    node_id, other_node = make_nodes('org-a', 2)
    org_a = realstack.connect('flocx-org-a-member')
    app, market_db = flocx['app'], flocx['market'].db
    now = timeutils.utcnow()
    status, offer = call(app, org_a.auth_token, 'POST', '/v1/offers', {
        'node': node_id, 'start_time': iso(now),
        'end_time': iso(now + datetime.timedelta(hours=1)), 'price': 2.5})
    assert status == 201, offer

    start = timeutils.utcnow().replace(microsecond=0) + \
        datetime.timedelta(seconds=2)
    end = start + datetime.timedelta(seconds=40)
    bid = market_db.create_bid({
        'project_id': RENTER, 'quantity': 1, 'resource_class': None,
        'constraints': [], 'start_time': start, 'latest_start_time': start,
        'duration': 40, 'price': 3.0, 'decide_by': None})
    services = flocx['market'].services
    contract = services.market.commit_awards(
        context.get_admin_context(services.enforcer), 'round-1', [{
            'uuid': str(uuid.uuid4()), 'bid_uuid': bid['uuid'],
            'start_time': start, 'end_time': end, 'price': 3.0,
            'nodes': [{'offer_uuid': offer['market_offer_uuid'],
                       'price': 2.5}]}])['accepted'][0]

    # At the start the provider makes the renter an identity here and the
    # market shows it to the renter alone.
    renter_api = ubase.Client(flocx['market'].app,
                              project=RENTER.split(':')[1])
    renter_api.headers['OpenStack-Market-Cloud'] = 'cloud-b'
    path = f'/v1/contracts/{contract["uuid"]}/access'
    resp = wait_for(lambda: (lambda r: r if r.status_code == 200 else None)(
        renter_api.get(path)), POLL_INTERVAL + 30, 'the renter\'s access')
    access = resp.json['access']
    assert ubase.Client(flocx['market'].app, project=realstack.project_id(
        'org-a')).get(path).status_code == 404
    wait_for(lambda: market_db.get_contract(contract['uuid'])['status'] ==
             'active', 30, 'the contract to be active')

    # With it, the renter sees its node and no other, and deploys it.
    renter = _renter_connection(access)
    seen = [n.id for n in renter.baremetal.nodes()]
    assert seen == [node_id]
    with pytest.raises(sdk_exceptions.NotFoundException):
        renter.baremetal.get_node(other_node)
    node = org_a.baremetal.get_node(node_id)
    assert node.lessee == access['project_id']
    renter.baremetal.set_node_provision_state(node_id, 'active')
    ironic.wait_for_provision_state(renter, [node_id], 'active', timeout=30)

    # At the end the identity stops working (Keystone no longer knows the
    # credential: 404; a token made from it before is revoked: 401), and
    # the node comes back.
    token = renter.session.get_token()
    wait_for(lambda: market_db.get_contract(contract['uuid'])['status'] ==
             'completed', POLL_INTERVAL + 90, 'the contract to complete')
    with pytest.raises(ks_exceptions.NotFound, match='Application Cred'):
        _renter_connection(access).session.get_token()
    check = requests.get(f'{realstack.auth_url}/auth/tokens', timeout=30,
                         headers={'X-Auth-Token': token,
                                  'X-Subject-Token': token})
    assert check.status_code in (401, 404), check.text
    resp = requests.get(f'{realstack.ironic_url}/v1/nodes/{node_id}',
                        timeout=30, headers={
                            'X-Auth-Token': token,
                            'X-OpenStack-Ironic-API-Version': '1.65'})
    assert resp.status_code == 401, resp.text
    assert renter_api.get(path).status_code == 404
    node = org_a.baremetal.get_node(node_id)
    assert (node.lessee, node.provision_state) == (None, 'available')
    # The renter's project is kept for its next contract, empty: it owns
    # nothing and nobody is in it.
    admin = realstack.connect('flocx-admin')
    assert not list(admin.identity.role_assignments(
        scope_project_id=access['project_id']))
