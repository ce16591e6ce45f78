"""A contract's life after it is written, on the real Keystone and Ironic.

Return early, extend, revoke, a provider that never acts, and the market
manager's own periodic sweep (issue 12).
Each owner offers its node through the provider API with a real Keystone
token; a contract is committed in the market as the auction engine would;
the provider's manager lends and reclaims the node in the real Ironic. The
renter and the owner then act through the market's API (microversion 1.1)
with their real Keystone tokens (keystonemiddleware in front of the
in-process market), and the test checks the node in Ironic, the delivery
times the provider reported, the money and both parties' events.
"""
import datetime
import decimal
import uuid

from oslo_config import cfg
from oslo_messaging.notify import _impl_test
from oslo_utils import timeutils
import pytest
from openstack import exceptions as sdk_exceptions

from flocx_common import context
from flocx_market.api import app as market_app
from flocx_market import conf as market_conf
from tests.functional.rbac import base as rbac_base
from tests.functional.fixtures.provider_stack import (
    call, iso, POLL_INTERVAL, wait_for)
from tests.unit import base as ubase
from tests.unit.market import base as market_base

D = decimal.Decimal
V11 = {'OpenStack-API-Version': 'marketplace 1.1'}
PRICE, ASK = D('3.00'), D('2.50')
# Reclaim = undeploy + clean on fake hardware (about 20 s here).
RECLAIM = POLL_INTERVAL + 60


class Rental:
    """org-a's node offered through the provider, rented by org-b."""

    def __init__(self, realstack, flocx, node_id, tmp_path):
        self.realstack, self.flocx, self.node_id = realstack, flocx, node_id
        self.org_a_id = realstack.project_id('org-a')
        self.org_b_id = realstack.project_id('org-b')
        self.owner_cloud = realstack.connect('flocx-org-a-member')
        self.renter_cloud = realstack.connect('flocx-org-b-member')
        self.market = flocx['market']
        self.db = self.market.db
        self.app = app = keystone_market_app(realstack, self.market,
                                             tmp_path)
        self.renter = token_client(app, self.renter_cloud)
        self.owner = token_client(app, self.owner_cloud)
        now = timeutils.utcnow()
        status, self.offer = call(
            flocx['app'], self.owner_cloud.auth_token, 'POST', '/v1/offers',
            {'node': node_id, 'start_time': iso(now),
             'end_time': iso(now + datetime.timedelta(hours=3)),
             'price': float(ASK)})
        assert status == 201, self.offer
        self.offer_uuid = self.offer['market_offer_uuid']

    def rent(self, seconds, offer_uuid=None):
        """A contract starting in 3 s for ``seconds`` (on the provider's
        offer, or ``offer_uuid``)."""
        start = timeutils.utcnow().replace(microsecond=0) + \
            datetime.timedelta(seconds=3)
        end = start + datetime.timedelta(seconds=seconds)
        bid = self.db.create_bid({
            'project_id': self.org_b_id, 'quantity': 1,
            'resource_class': None, 'constraints': [], 'start_time': start,
            'latest_start_time': start, 'duration': seconds,
            'price': PRICE, 'decide_by': None})
        services = self.market.services
        result = services.market.commit_awards(
            context.get_admin_context(services.enforcer), 'round-1', [{
                'uuid': str(uuid.uuid4()), 'bid_uuid': bid['uuid'],
                'start_time': start, 'end_time': end, 'price': PRICE,
                'nodes': [{'offer_uuid': offer_uuid or self.offer_uuid,
                           'price': ASK}]}])
        contract, = result['accepted']
        self.uuid = contract['uuid']
        return contract

    def contract(self):
        return self.db.get_contract(self.uuid)

    def node(self):
        node, = self.contract()['nodes']
        return node

    def node_in_ironic(self):
        return self.owner_cloud.baremetal.get_node(self.node_id)

    def wait_lent(self):
        wait_for(lambda: self.node_in_ironic().lessee == self.org_b_id,
                 POLL_INTERVAL + 30, 'the lessee to be set')
        wait_for(lambda: self.node()['lent_at'], 10,
                 'the provider to report the lend to the market')

    def wait_reclaimed(self):
        wait_for(lambda: self.node()['reclaimed_at'], RECLAIM,
                 'the provider to report the reclaim to the market')
        node = self.node_in_ironic()
        assert (node.lessee, node.provision_state) == (None, 'available')
        assert node.instance_info == {} and node.extra == {}
        with pytest.raises(sdk_exceptions.NotFoundException):
            self.renter_cloud.baremetal.get_node(self.node_id)

    def events(self, project_id):
        return [e['event_type'] for e in self.db.list_events(
            project_id, object_uuid=self.uuid)]

    def statement_line(self, client):
        resp = client.get('/v1/statements')
        assert resp.status_code == 200, resp.body
        line, = [c for c in resp.json['contracts']
                 if c['contract_uuid'] == self.uuid]
        return line


def keystone_market_app(realstack, market, tmp_path):
    """The in-process market's API behind keystonemiddleware and the real
    Keystone (its services, database and RPC stay the fixture's)."""
    conf_file = tmp_path / 'market.conf'
    rbac_base.write_conf(conf_file, realstack, {'database': {
        'connection': market.conf.database.connection}})
    conf = cfg.ConfigOpts()
    market_conf.register_opts(conf)
    conf(['--config-file', str(conf_file)], project='flocx')
    return market_app.setup_app(conf, market.services)


def token_client(app, cloud):
    client = ubase.Client(app)
    client.headers = {'X-Auth-Token': cloud.auth_token, **V11}
    return client


def delivered_cost(contract):
    """The money rule from the times the provider reported, to the cent:
    the renter pays from the lend (not before the start) to the reclaim
    (not after the contract's end as it stands)."""
    node, = contract['nodes']
    start = max(market_base.parse(contract['start_time']),
                market_base.parse(node['lent_at']))
    end = min(market_base.parse(node['end_time']),
              market_base.parse(node['reclaimed_at']))
    seconds = D(max(0, (end - start) // datetime.timedelta(microseconds=1)))
    return (seconds / 1_000_000 / 3600 * PRICE).quantize(
        D('0.01'), decimal.ROUND_HALF_UP)


def test_return_early_reclaims_at_once_and_bills_the_time_had(
        realstack, make_nodes, flocx, tmp_path):
    node_id, = make_nodes('org-a')
    rental = Rental(realstack, flocx, node_id, tmp_path)
    rental.rent(3600)
    rental.wait_lent()
    # Held while it runs: the planned hour from the lend on.
    assert D('2.90') < D(str(rental.contract()['cost'])) <= PRICE
    rental.renter_cloud.baremetal.set_node_provision_state(node_id, 'active')

    path = f'/v1/contracts/{rental.uuid}/return'
    # Only the renter returns it: Keystone says who is asking.
    anonymous = ubase.Client(rental.app)
    anonymous.headers = dict(V11)
    assert anonymous.post(path).status_code == 401
    org_c = token_client(rental.app,
                         realstack.connect('flocx-org-c-member'))
    assert org_c.post(path).status_code == 404
    assert rental.owner.post(path).status_code == 403
    resp = rental.renter.post(path)
    assert resp.status_code == 200, resp.body
    assert resp.json['status'] == 'completed'
    returned_at = market_base.parse(resp.json['nodes'][0]['ended_at'])

    # The provider takes the node back at once, not at the planned end.
    rental.wait_reclaimed()
    contract = rental.contract()
    node, = contract['nodes']
    assert node['end_kind'] == 'returned'
    assert market_base.parse(node['end_time']) == returned_at
    reclaimed = market_base.parse(node['reclaimed_at'])
    assert reclaimed - returned_at < datetime.timedelta(seconds=RECLAIM)
    # The renter pays the time it had, from the reported times; the rest
    # of the hour held is refunded.
    cost = delivered_cost(contract)
    assert D(str(contract['cost'])) == cost < PRICE
    line = rental.statement_line(rental.renter)
    assert D(line['paid']) - D(line['refunds']) == cost
    assert D(line['refunds']) > 0
    owner_line = rental.statement_line(rental.owner)
    assert owner_line['role'] == 'owner'
    assert D(owner_line['earned']) <= cost
    # The freed time is for sale again after the cleaning gap.
    resp = rental.owner.get(f'/v1/offers/{rental.offer_uuid}/availability')
    assert resp.status_code == 200, resp.body
    booked, = resp.json['booked']
    assert market_base.parse(booked['booked_until']) == \
        returned_at + datetime.timedelta(seconds=1800)
    assert market_base.parse(resp.json['free'][-1][0]) == \
        market_base.parse(booked['booked_until'])
    for project in (rental.org_a_id, rental.org_b_id):
        assert 'contract.return' in rental.events(project)
    # Returning it again is refused.
    again = rental.renter.post(path)
    assert again.status_code == 409
    assert again.json['errors'][0]['code'] == 'flocx.contract_not_live'


def test_extend_keeps_the_node_with_the_renter_past_its_first_end(
        realstack, make_nodes, flocx, tmp_path):
    node_id, = make_nodes('org-a')
    rental = Rental(realstack, flocx, node_id, tmp_path)
    contract = rental.rent(20)
    first_end = market_base.parse(contract['end_time'])
    rental.wait_lent()
    new_end = first_end + datetime.timedelta(seconds=20)
    path = f'/v1/contracts/{rental.uuid}/extend'
    # Past the owner's offer: refused, with the reason.
    resp = rental.renter.post(path, {'end_time': iso(
        market_base.parse(rental.offer['end_time']) +
        datetime.timedelta(hours=1))})
    assert resp.status_code == 409, resp.body
    assert 'offers it only until' in resp.json['errors'][0]['detail']
    resp = rental.renter.post(path, {'end_time': iso(new_end)})
    assert resp.status_code == 200, resp.body
    assert market_base.parse(resp.json['end_time']) == new_end

    # Past the first end (and a sweep of the provider's) the renter still
    # has it.
    wait_for(lambda: timeutils.utcnow() > first_end + datetime.timedelta(
        seconds=POLL_INTERVAL + 2), 60, 'the first end to pass')
    assert rental.node_in_ironic().lessee == rental.org_b_id
    assert rental.contract()['status'] == 'active'

    wait_for(lambda: rental.contract()['status'] == 'completed',
             RECLAIM + 30, 'the extended contract to complete')
    rental.wait_reclaimed()
    contract = rental.contract()
    assert market_base.parse(contract['nodes'][0]['reclaimed_at']) >= new_end
    # 40 s had, at the contract's price (its written rule).
    assert D(str(contract['cost'])) == delivered_cost(contract)
    for project in (rental.org_a_id, rental.org_b_id):
        events = rental.events(project)
        assert 'contract.extend' in events and 'contract.end' in events
    # A completed contract is not extended.
    resp = rental.renter.post(path, {'end_time': iso(
        new_end + datetime.timedelta(minutes=5))})
    assert resp.status_code == 409
    assert resp.json['errors'][0]['code'] == 'flocx.contract_not_live'


def test_owner_revokes_the_renter_is_told_and_refunded(
        realstack, make_nodes, flocx, tmp_path):
    node_id, = make_nodes('org-a')
    rental = Rental(realstack, flocx, node_id, tmp_path)
    rental.rent(3600)
    rental.wait_lent()
    path = f'/v1/contracts/{rental.uuid}/revoke'
    # A reason is required; the renter may not revoke.
    assert rental.owner.post(path, {}).status_code == 400
    assert rental.renter.post(path, {'reason': 'x'}).status_code == 403
    resp = rental.owner.post(path, {'reason': 'disk failed'})
    assert resp.status_code == 200, resp.body
    assert (resp.json['status'], resp.json['status_reason']) == (
        'revoked', 'disk failed')

    rental.wait_reclaimed()
    contract = rental.contract()
    assert contract['nodes'][0]['end_kind'] == 'revoked'
    cost = delivered_cost(contract)
    assert D(str(contract['cost'])) == cost < PRICE
    line = rental.statement_line(rental.renter)
    assert D(line['paid']) - D(line['refunds']) == cost
    assert D(line['fees']) == 0  # a revocation costs the renter no fee
    # The renter is told why; the owner's record shows the revocation.
    revoke, = [e for e in rental.db.list_events(
        rental.org_b_id, object_uuid=rental.uuid)
        if e['event_type'] == 'contract.revoke']
    assert revoke['detail']['reason'] == 'disk failed'
    assert 'contract.revoke' in rental.events(rental.org_a_id)
    resp = rental.renter.get(
        f'/v1/reliability?owner_project_id={rental.org_a_id}')
    assert resp.json['owners'] == [{'owner_project_id': rental.org_a_id,
                                    'contracts': 1, 'revocations': 1}]


def test_a_provider_that_never_acts(realstack, make_nodes, flocx,
                                    tmp_path):
    """The provider published the offer, then its manager stopped: the
    contract fails [market] provider_start_timeout after its start, with
    the reason, and costs nothing."""
    node_id, = make_nodes('org-a')
    rental = Rental(realstack, flocx, node_id, tmp_path)
    flocx['manager'].stop()
    contract = rental.rent(3600)
    start = market_base.parse(contract['start_time'])
    market = rental.market
    market.conf.set_override('provider_start_timeout', 5, group='market')
    ctx = context.get_admin_context(market.services.enforcer)

    wait_for(lambda: timeutils.utcnow() > start, 10, 'the start')
    # Started, but within the timeout: it waits for the provider.
    assert market.services.market.sweep_contracts(
        ctx, market.conf)['failed'] == []
    assert rental.contract()['status'] == 'scheduled'
    wait_for(lambda: timeutils.utcnow() > start + datetime.timedelta(
        seconds=6), 10, 'the timeout to pass')
    swept = market.services.market.sweep_contracts(ctx, market.conf)
    assert swept['failed'] == [rental.uuid]

    contract = rental.contract()
    assert contract['status'] == 'failed'
    assert contract['status_reason'] == \
        'no provider acted within 5 s of its start'
    assert contract['cost'] == 0.0
    assert rental.node()['lent_at'] is None
    # Nothing happened in Ironic: the renter never had the node.
    assert rental.node_in_ironic().lessee is None
    with pytest.raises(sdk_exceptions.NotFoundException):
        rental.renter_cloud.baremetal.get_node(node_id)
    line = rental.statement_line(rental.renter)
    assert D(line['paid']) == D(line['refunds'])  # held, then given back
    for project in (rental.org_a_id, rental.org_b_id):
        assert 'contract.fail' in rental.events(project)
    # The rest of the node-time is for sale again.
    resp = rental.owner.get(f'/v1/offers/{rental.offer_uuid}/availability')
    booked, = resp.json['booked']
    assert booked['status'] == 'failed'
    assert market_base.parse(resp.json['free'][-1][1]) == \
        market_base.parse(rental.offer['end_time'])
    assert market_base.parse(booked['booked_until']) < \
        start + datetime.timedelta(hours=1)


def test_the_market_managers_sweep_fails_the_unattended_and_warns(
        realstack, make_nodes, flocx, tmp_path):
    """flocx-market-manager's sweep thread, every [market] expire_interval,
    with nobody calling it: a contract on the offer of a provider that
    never acts fails provider_start_timeout after its start, and both
    parties of a live contract are warned before_end_warning before its
    end, once, in the events the API shows them (real Keystone tokens) and
    in notifications on the bus."""
    timeout, warning = 20, 45
    _impl_test.reset()
    lent_node, silent_node = make_nodes('org-a', 2)
    rental = Rental(realstack, flocx, lent_node, tmp_path)
    market = rental.market
    # org-a's other node, published as a provider publishes its offers
    # (naming itself); no such provider runs.
    service = ubase.Client(market.app, project='service', roles='service')
    body = market_base.offer_body(project=rental.org_a_id,
                                  resource_uuid=silent_node, start=0, end=3,
                                  price=float(ASK))
    body['provider'] = 'silent-provider'
    resp = service.post('/v1/offers', body)
    assert resp.status_code == 201, resp.body
    silent_offer = resp.json['uuid']
    flocx['run_market_manager'](expire_interval=1,
                                provider_start_timeout=timeout,
                                before_end_warning=warning)

    lent = rental.rent(60)
    failing = rental.rent(3600, offer_uuid=silent_offer)
    start = market_base.parse(failing['start_time'])
    end = market_base.parse(lent['end_time'])
    rental.uuid = lent['uuid']
    rental.wait_lent()

    def contract(uuid, client=rental.renter):
        resp = client.get(f'/v1/contracts/{uuid}')
        assert resp.status_code == 200, resp.body
        return resp.json

    def events(uuid, client):
        resp = client.get(f'/v1/events?object_uuid={uuid}')
        assert resp.status_code == 200, resp.body
        return resp.json['events']

    # The silent provider's contract: failed by the sweep past the
    # timeout (not before), with the reason, at no cost.
    wait_for(lambda: contract(failing['uuid'])['status'] == 'failed',
             timeout + 20, 'the sweep to fail the unattended contract')
    failed = contract(failing['uuid'])
    assert failed['status_reason'] == \
        f'no provider acted within {timeout} s of its start'
    node, = failed['nodes']
    assert node['lent_at'] is None
    assert market_base.parse(node['ended_at']) >= \
        start + datetime.timedelta(seconds=timeout)
    assert D(str(failed['cost'])) == 0
    line, = [c for c in rental.renter.get('/v1/statements').json[
        'contracts'] if c['contract_uuid'] == failing['uuid']]
    assert D(line['paid']) == D(line['refunds']) > 0  # held, given back
    assert rental.owner_cloud.baremetal.get_node(silent_node).lessee is None
    for client in (rental.renter, rental.owner):
        assert [e['event_type'] for e in events(failing['uuid'], client)
                if e['event_type'] == 'contract.fail'] == ['contract.fail']

    # The lent contract: both parties warned before its end, not earlier
    # than before_end_warning ahead.
    def warned(client):
        return [e for e in events(lent['uuid'], client)
                if e['event_type'] == 'contract.before_end']

    wait_for(lambda: warned(rental.renter) and warned(rental.owner),
             max(1, (end - timeutils.utcnow()).total_seconds()),
             'both parties to be warned before the end')
    # A few more sweeps warn nobody again.
    wait_for(lambda: timeutils.utcnow() > market_base.parse(
        warned(rental.renter)[0]['created_at']) +
        datetime.timedelta(seconds=3), 10, 'more sweeps')
    for client in (rental.renter, rental.owner):
        event, = warned(client)
        at = market_base.parse(event['created_at'])
        assert end - datetime.timedelta(seconds=warning) <= at < end
        assert market_base.parse(event['detail']['end_time']) == end
    assert contract(lent['uuid'])['status'] == 'active'
    assert rental.node_in_ironic().lessee == rental.org_b_id

    # The bus: each once, at its level, naming both parties.
    notes = [(m['event_type'], priority, m['payload']['flocx_object.data'])
             for _, m, priority, _ in _impl_test.NOTIFICATIONS
             if m['event_type'] in ('contract.fail', 'contract.before_end')]
    assert sorted((t, p, d['uuid']) for t, p, d in notes) == [
        ('contract.before_end', 'WARN', lent['uuid']),
        ('contract.fail', 'ERROR', failing['uuid'])]
    for _, _, data in notes:
        assert (data['project_id'], data['owner_project_ids']) == (
            rental.org_b_id, [rental.org_a_id])
