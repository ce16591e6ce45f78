"""The provider end to end against a real Keystone and a real Ironic.

org-a offers a node through the provider API with a real Keystone token
(keystonemiddleware); the offer lands in the market; a contract for org-b
is committed in the market as the auction engine would; the provider's
manager makes org-b the node's lessee at the start (org-b sees and deploys
it, org-c does not see it) and takes it back, cleaned, at the end.

The market runs in-process on SQLite, noauth, over the fake RPC transport
the provider also uses. Timings (how late after the start and end the
lessee was set and removed) are printed; run with ``-s`` to see them.
"""
import datetime
import uuid

from oslo_utils import timeutils
import pytest
import webob
from openstack import exceptions as sdk_exceptions

from flocx_common import context
from flocx_provider import ironic
from tests.functional.fixtures.provider_stack import (
    call, iso, POLL_INTERVAL, PROVIDER, wait_for)


def test_offer_rent_deploy_and_reclaim(realstack, make_nodes, flocx):
    node_id, = make_nodes('org-a')
    org_a = realstack.connect('flocx-org-a-member')
    org_b = realstack.connect('flocx-org-b-member')
    org_c = realstack.connect('flocx-org-c-member')
    org_a_id = realstack.project_id('org-a')
    org_b_id = realstack.project_id('org-b')
    app, market_db = flocx['app'], flocx['market'].db
    now = timeutils.utcnow()

    # No token, no offer.
    req = webob.Request.blank('/v1/offers')
    assert req.get_response(app).status_code == 401

    # org-a offers its node, with a real Keystone token.
    status, offer = call(app, org_a.auth_token, 'POST', '/v1/offers', {
        'node': node_id, 'start_time': iso(now),
        'end_time': iso(now + datetime.timedelta(hours=1)), 'price': 2.5})
    assert status == 201, offer
    assert offer['project_id'] == org_a_id
    assert offer['properties']['cpus'] == 8
    market_offer = market_db.get_offer(offer['market_offer_uuid'])
    assert market_offer['status'] == 'open'
    assert market_offer['provider'] == PROVIDER
    assert market_offer['project_id'] == org_a_id
    assert market_offer['resource_uuid'] == node_id

    # org-b cannot offer org-a's node: it does not even see it.
    status, body = call(app, org_b.auth_token, 'POST', '/v1/offers', {
        'node': node_id, 'start_time': iso(now),
        'end_time': iso(now + datetime.timedelta(hours=2)), 'price': 1})
    assert status == 404, body
    # A second offer of the same time by org-a is refused.
    status, body = call(app, org_a.auth_token, 'POST', '/v1/offers', {
        'node': node_id, 'start_time': iso(now),
        'end_time': iso(now + datetime.timedelta(hours=2)), 'price': 1})
    assert status == 409, body

    # The auction engine's part: org-b's bid wins the node for 12 s.
    start = timeutils.utcnow().replace(microsecond=0) + \
        datetime.timedelta(seconds=3)
    end = start + datetime.timedelta(seconds=12)
    bid = market_db.create_bid({
        'project_id': org_b_id, 'quantity': 1, 'resource_class': None,
        'constraints': [], 'start_time': start, 'latest_start_time': start,
        'duration': 12, 'price': 3.0, 'decide_by': None})
    market_services = flocx['market'].services
    contract = market_services.market.commit_awards(
        context.get_admin_context(market_services.enforcer), 'round-1', [{
            'uuid': str(uuid.uuid4()), 'bid_uuid': bid['uuid'],
            'start_time': start, 'end_time': end, 'price': 3.0,
            'nodes': [{'offer_uuid': offer['market_offer_uuid'],
                       'price': 2.5}]}])['accepted'][0]

    # At the start org-b becomes the lessee.
    wait_for(lambda: org_a.baremetal.get_node(node_id).lessee == org_b_id,
             POLL_INTERVAL + 30, 'the lessee to be set')
    seen_lent = timeutils.utcnow()
    wait_for(lambda: market_db.get_contract(contract['uuid'])['status'] ==
             'active', 10, 'the contract to be active')
    record, = flocx['db'].fulfilments_of(contract_uuid=contract['uuid'])
    lend_late = (record['lent_at'] - start).total_seconds()

    # org-b sees and deploys it; org-c does not see it.
    assert org_b.baremetal.get_node(node_id).owner == org_a_id
    org_b.baremetal.set_node_provision_state(node_id, 'active')
    ironic.wait_for_provision_state(org_b, [node_id], 'active', timeout=30)
    with pytest.raises(sdk_exceptions.NotFoundException):
        org_c.baremetal.get_node(node_id)
    # A renter may not offer what it rents.
    status, body = call(app, org_b.auth_token, 'POST', '/v1/offers', {
        'node': node_id, 'start_time': iso(end),
        'end_time': iso(end + datetime.timedelta(hours=1)), 'price': 1})
    assert status in (403, 404), body
    # Nor cancel the owner's booked offer.
    status, body = call(app, org_a.auth_token, 'DELETE',
                        f'/v1/offers/{offer["uuid"]}')
    assert status == 409, body

    # At the end org-b loses it; it comes back cleaned and available.
    wait_for(lambda: market_db.get_contract(contract['uuid'])['status'] ==
             'completed', POLL_INTERVAL + 60, 'the contract to complete')
    record, = flocx['db'].fulfilments_of(contract_uuid=contract['uuid'])
    node = org_a.baremetal.get_node(node_id)
    assert node.lessee is None
    assert node.owner == org_a_id
    assert node.provision_state == 'available'
    assert node.power_state != 'power on'
    assert node.instance_id is None
    with pytest.raises(sdk_exceptions.NotFoundException):
        org_b.baremetal.get_node(node_id)
    events = [e['event_type'] for e in market_db.list_events(org_b_id)]
    assert 'contract.start' in events and 'contract.end' in events
    reclaim_done = (record['reclaimed_at'] - end).total_seconds()
    print(f'\nlessee set {lend_late:.3f} s after the start (seen by the '
          f'owner {(seen_lent - start).total_seconds():.3f} s after); node '
          f'back available and off {reclaim_done:.3f} s after the end '
          f'(undeploy + clean on fake hardware)')
    assert lend_late < 5
    assert reclaim_done < 30


def test_lease_to_a_child_project(realstack, make_nodes, flocx):
    node_id, = make_nodes('org-a')
    org_a_id = realstack.project_id('org-a')
    admin = realstack.connect('flocx-admin')
    child = admin.identity.create_project(
        name=f'org-a-dev-{uuid.uuid4().hex[:8]}', domain_id='default',
        parent_id=org_a_id)
    try:
        manager_token = realstack.connect('flocx-org-a-manager').auth_token
        member_token = realstack.connect('flocx-org-a-member').auth_token
        org_a = realstack.connect('flocx-org-a-member')
        now = timeutils.utcnow()
        body = {'node': node_id, 'project_id': child.id,
                'start_time': iso(now),
                'end_time': iso(now + datetime.timedelta(seconds=6))}
        # A plain member may not lend; nor to a project outside the org
        # (Keystone says who the parent is).
        status, _ = call(flocx['app'], member_token, 'POST', '/v1/leases',
                         body)
        assert status == 403
        status, error = call(flocx['app'], manager_token, 'POST',
                             '/v1/leases', dict(
                                 body,
                                 project_id=realstack.project_id('org-b')))
        assert status == 403, error
        assert error['errors'][0]['code'] == 'flocx.not_a_child_project'
        status, lease = call(flocx['app'], manager_token, 'POST',
                             '/v1/leases', body)
        assert status == 201, lease
        # The node cannot be offered while lent.
        status, error = call(flocx['app'], member_token, 'POST',
                             '/v1/offers', {
                                 'node': node_id, 'start_time': iso(now),
                                 'end_time': iso(now + datetime.timedelta(
                                     hours=1)), 'price': 1})
        assert status == 409, error
        wait_for(lambda: org_a.baremetal.get_node(node_id).lessee ==
                 child.id, POLL_INTERVAL + 30, 'the lessee to be set')
        wait_for(lambda: flocx['db'].get_lease(lease['uuid'])['status'] ==
                 'completed', POLL_INTERVAL + 60, 'the lease to end')
        node = org_a.baremetal.get_node(node_id)
        assert node.lessee is None and node.provision_state == 'available'
    finally:
        admin.identity.delete_project(child)


def test_small_owner_enrolls_its_node_and_offers_it(realstack,
                                                   delete_nodes_after, flocx):
    """An organization without an OpenStack of its own joins the market:
    its project admin enrolls a node in the shared Ironic (owned by its own
    project) and its member offers it through the provider."""
    org_c_id = realstack.project_id('org-c')
    node_id = ironic.enroll_self_owned_node(
        realstack.connect('flocx-org-c-admin'),
        name=f'small-{uuid.uuid4().hex[:8]}',
        properties={'cpus': 4, 'memory_mb': 8192, 'local_gb': 50,
                    'cpu_arch': 'x86_64'}, timeout=60)
    delete_nodes_after.append(node_id)
    now = timeutils.utcnow()
    org_c = realstack.connect('flocx-org-c-member')
    status, offer = call(flocx['app'], org_c.auth_token, 'POST', '/v1/offers',
                         {'node': node_id, 'start_time': iso(now),
                          'end_time': iso(now + datetime.timedelta(hours=3)),
                          'price': 0.8})
    assert status == 201, offer
    market_offer = flocx['market'].db.get_offer(offer['market_offer_uuid'])
    assert (market_offer['project_id'], market_offer['resource_uuid'],
            market_offer['properties']['memory_mb']) == (org_c_id, node_id,
                                                         8192)
    # Another organization cannot offer the small owner's node.
    org_a = realstack.connect('flocx-org-a-member')
    status, body = call(flocx['app'], org_a.auth_token, 'POST', '/v1/offers',
                        {'node': node_id, 'start_time': iso(now),
                         'end_time': iso(now + datetime.timedelta(hours=1)),
                         'price': 1})
    assert status == 404, body
