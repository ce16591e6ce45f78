"""The booking invariants the database layer promises (SQLite)."""

import datetime
import uuid

from oslo_utils import timeutils

from flocx_market.db import api as db_api
from tests.unit.market import base

HOUR = datetime.timedelta(hours=1)


class CommitAwardTest(base.BookingTestCase):

    def test_happy_path_writes_contract_and_takes_bid(self):
        offers = [self.make_offer(price=1.0), self.make_offer(price=1.5)]
        bid = self.make_bid(quantity=2, price=2.0, duration=7200)
        award = base.award_for(bid, offers, node_prices=[1.0, 1.5])
        contract = self.commit(award)
        self.assertEqual((award['uuid'], bid['uuid'], 'org-b', 'scheduled'),
                         (contract['uuid'], contract['bid_uuid'],
                          contract['project_id'], contract['status']))
        # cost = renter's price x hours x nodes
        self.assertEqual(2.0 * 2 * 2, contract['cost'])
        self.assertEqual(sorted(o['uuid'] for o in offers),
                         sorted(contract['offer_uuids']))
        self.assertEqual(['org-a'], contract['owner_project_ids'])
        self.assertEqual({1.0, 1.5}, {n['price'] for n in contract['nodes']})
        self.assertEqual('contracted', self.db.get_bid(bid['uuid'])['status'])

    def _in_cloud(self, offer, cloud):
        import sqlalchemy as sa

        from flocx_market.db import models
        with self.db.writer() as session:
            session.execute(sa.update(models.offers).where(
                models.offers.c.uuid == offer['uuid']).values(cloud=cloud))

    def test_a_one_cloud_bid_is_refused_nodes_in_two_clouds(self):
        offers = [self.make_offer(), self.make_offer()]
        self._in_cloud(offers[1], 'cloud-b')
        bid = self.make_bid(quantity=2)
        e = self.assertRefused(base.award_for(bid, offers), 'one cloud')
        self.assertIn('cloud-b, home', str(e))
        self.assertEqual('open', self.db.get_bid(bid['uuid'])['status'])

    def test_a_bid_that_spans_clouds_may_get_nodes_in_two(self):
        offers = [self.make_offer(), self.make_offer()]
        self._in_cloud(offers[1], 'cloud-b')
        client = base.base.Client(self.market.app, project='org-b',
                                  version='marketplace 1.2')
        resp = client.post('/v1/bids',
                           base.bid_body(quantity=2, span_clouds=True))
        self.assertEqual(201, resp.status_code, resp.body)
        contract = self.commit(base.award_for(resp.json, offers))
        self.assertEqual(2, len(contract['offer_uuids']))

    def test_quantity_is_all_or_nothing(self):
        offers = [self.make_offer(), self.make_offer()]
        bid = self.make_bid(quantity=3)
        self.assertRefused(base.award_for(bid, offers), 'wants 3 nodes')
        # Nothing of the refused award stays behind.
        self.assertEqual('open', self.db.get_bid(bid['uuid'])['status'])
        self.assertEqual([], self.db.busy_intervals(offers[0]['uuid']))
        self.assertEqual([], self.db.list_contracts({}, None, 10, None,
                                                    'created_at', 'asc'))

    def test_one_bad_node_refuses_the_whole_award(self):
        good = self.make_offer()
        cancelled = self.make_offer()
        self.db.cancel_offer(cancelled['uuid'])
        bid = self.make_bid(quantity=2)
        self.assertRefused(base.award_for(bid, [good, cancelled]),
                           'cancelled')
        self.assertEqual([], self.db.busy_intervals(good['uuid']))
        self.assertEqual('open', self.db.get_bid(bid['uuid'])['status'])

    def test_contract_must_fit_the_offer_window(self):
        offer = self.make_offer(start=1, end=3)
        bid = self.make_bid(start=2, duration=2 * 3600)
        self.assertRefused(base.award_for(bid, [offer]), 'outside its window')

    def test_start_must_be_in_the_bid_range(self):
        offer = self.make_offer(start=1, end=40)
        bid = self.make_bid(start=2, latest_start_time=base.iso(
            base.hours_from_now(5)))
        start = base.parse(bid['start_time'])
        self.assertRefused(base.award_for(bid, [offer], start=start - HOUR),
                           'start range')
        self.assertRefused(
            base.award_for(bid, [offer], start=start + 4 * HOUR),
            'start range')
        self.commit(base.award_for(bid, [offer], start=start + 3 * HOUR))

    def test_duration_must_match(self):
        offer = self.make_offer()
        bid = self.make_bid()
        self.assertRefused(base.award_for(bid, [offer], duration=1800),
                           'duration')

    def test_price_rules(self):
        offer = self.make_offer(price=1.0)
        bid = self.make_bid(price=2.0)
        self.assertRefused(base.award_for(bid, [offer], price=2.01),
                           'above the bid')
        self.assertRefused(base.award_for(bid, [offer], node_prices=[0.99]),
                           'less than its ask')
        self.assertRefused(
            base.award_for(bid, [offer], price=1.2, node_prices=[1.5]),
            'renter would pay less')
        # Renter pays <= bid, owner gets >= ask: a uniform price between.
        contract = self.commit(base.award_for(bid, [offer], price=1.5,
                                              node_prices=[1.5]))
        self.assertEqual(1.5, contract['price'])

    def test_hardware_must_meet_the_bid(self):
        offer = self.make_offer(cpus=8)
        bid = self.make_bid(constraints=[
            {'property': 'cpus', 'op': '>=', 'value': 16}])
        self.assertRefused(base.award_for(bid, [offer]), 'hardware')
        other_class = self.make_offer(resource_class='gpu')
        self.assertRefused(base.award_for(self.make_bid(), [other_class]),
                           'hardware')

    def test_own_node_cannot_be_rented(self):
        offer = self.make_offer(project='org-b')
        self.assertRefused(base.award_for(self.make_bid(), [offer]),
                           'own node')

    def test_refuses_cancelled_or_taken_bid(self):
        offer = self.make_offer()
        cancelled = self.make_bid()
        self.db.cancel_bid(cancelled['uuid'])
        self.assertRefused(base.award_for(cancelled, [offer]), 'cancelled')
        taken = self.make_bid()
        self.commit(base.award_for(taken, [offer]))
        other = self.make_offer()
        self.assertRefused(base.award_for(taken, [other]), 'contracted')

    def test_refuses_cancelled_or_unknown_offer(self):
        offer = self.make_offer()
        self.db.cancel_offer(offer['uuid'])
        self.assertRefused(base.award_for(self.make_bid(), [offer]),
                           'cancelled')
        ghost = dict(offer, uuid=str(uuid.uuid4()))
        self.assertRefused(base.award_for(self.make_bid(), [ghost]),
                           'does not exist')

    def test_refuses_unknown_bid_and_past_start(self):
        offer = self.make_offer(start=0.01)
        self.assertRefused(base.award_for(
            {'uuid': str(uuid.uuid4()), 'start_time': base.iso(
                base.hours_from_now(2)), 'duration': 3600, 'price': 1},
            [offer]), 'does not exist')
        bid = self.make_bid(start=0.02)
        past = timeutils.utcnow() - datetime.timedelta(minutes=10)
        award = base.award_for(bid, [offer], start=past)
        self.assertRefused(award, 'past')

    def test_decide_by_passed(self):
        offer = self.make_offer()
        bid = self.make_bid(decide_by=base.iso(base.hours_from_now(1)))
        award = base.award_for(bid, [offer])
        e = self.assertRaises(
            db_api.Refused, self.db.commit_award, award,
            now=timeutils.utcnow() + datetime.timedelta(hours=1, minutes=5))
        self.assertIn('decide_by', str(e))

    def test_no_node_is_booked_twice(self):
        offer = self.make_offer(start=1, end=10)
        first = self.make_bid(start=2, duration=3 * 3600)
        self.commit(base.award_for(first, [offer]))
        overlapping = self.make_bid(client=self.org_c, start=4)
        self.assertRefused(base.award_for(overlapping, [offer]),
                           'already booked')
        # Back to back is refused: the first rental is followed by the
        # cleaning gap ([market] cleaning_gap, 30 min by default).
        at_end = self.make_bid(client=self.org_c, start=5)
        self.assertRefused(base.award_for(at_end, [offer]), 'already booked')
        after = self.make_bid(client=self.org_c, start=5.5)
        self.commit(base.award_for(after, [offer]))
        self.assertEqual(2, len(self.db.busy_intervals(offer['uuid'])))

    def test_recommit_of_same_award_is_idempotent(self):
        offer = self.make_offer()
        award = base.award_for(self.make_bid(), [offer])
        first = self.commit(award)
        again = self.commit(dict(award))
        self.assertEqual(first, again)
        self.assertEqual(1, len(self.db.busy_intervals(offer['uuid'])))

    def test_same_bid_with_new_contract_uuid_is_refused(self):
        offer = self.make_offer()
        bid = self.make_bid()
        self.commit(base.award_for(bid, [offer]))
        self.assertRefused(base.award_for(bid, [self.make_offer()]),
                           'contracted')

    def test_reused_contract_uuid_is_refused_promptly(self):
        offer = self.make_offer()
        award = base.award_for(self.make_bid(), [offer])
        self.commit(award)
        reuse = base.award_for(self.make_bid(), [self.make_offer()],
                               uuid=award['uuid'])
        started = timeutils.utcnow()
        self.assertRefused(reuse, award['uuid'])
        self.assertLess(timeutils.delta_seconds(started, timeutils.utcnow()),
                        2)


class ContractLifecycleTest(base.BookingTestCase):

    def test_legal_transitions(self):
        contract = self.contract()
        for status in ('active', 'completed'):
            contract = self.db.update_contract_status(contract['uuid'],
                                                      status)
            self.assertEqual(status, contract['status'])

    def test_repeating_the_current_status_is_a_no_op(self):
        contract = self.contract()
        again = self.db.update_contract_status(contract['uuid'], 'scheduled')
        self.assertEqual(contract['updated_at'], again['updated_at'])

    def test_illegal_transitions_are_409(self):
        illegal = {'scheduled': ['completed'],
                   'active': ['scheduled', 'cancelled'],
                   'completed': ['active', 'failed', 'cancelled'],
                   'cancelled': ['active', 'scheduled'],
                   'failed': ['active', 'completed']}
        path = {'scheduled': [], 'active': ['active'],
                'completed': ['active', 'completed'],
                'cancelled': ['cancelled'], 'failed': ['failed']}
        for start, targets in illegal.items():
            contract = self.contract()
            for step in path[start]:
                self.db.update_contract_status(contract['uuid'], step)
            for target in targets:
                e = self.assertRaises(
                    db_api.errors.Conflict, self.db.update_contract_status,
                    contract['uuid'], target)
                self.assertEqual('flocx.contract_transition', e.code)

    def test_unknown_contract_is_404(self):
        self.assertRaises(db_api.errors.NotFound,
                          self.db.update_contract_status, str(uuid.uuid4()),
                          'active')

    def test_failed_or_cancelled_contract_releases_node_time(self):
        for status, steps in (('cancelled', []), ('failed', ['active'])):
            offer = self.make_offer()
            contract = self.contract([offer])
            for step in steps + [status]:
                self.db.update_contract_status(contract['uuid'], step,
                                               reason='node broke')
            self.assertEqual([], self.db.busy_intervals(offer['uuid']))
            # The same node-time sells again, and the offer may be cancelled.
            self.contract([offer], bid=self.make_bid(client=self.org_c))

    def test_completed_contract_keeps_its_booking(self):
        offer = self.make_offer()
        contract = self.contract([offer])
        for step in ('active', 'completed'):
            self.db.update_contract_status(contract['uuid'], step)
        self.assertEqual(1, len(self.db.busy_intervals(offer['uuid'])))
        self.assertRefused(base.award_for(self.make_bid(client=self.org_c),
                                          [offer]), 'already booked')


class ExpiryTest(base.BookingTestCase):

    def test_expiry_sweep_closes_past_orders_only(self):
        offer = self.make_offer(start=1, end=3)
        later = self.make_offer(start=1, end=30)
        bid = self.make_bid(start=2)
        lasting = self.make_bid(start=2, latest_start_time=base.iso(
            base.hours_from_now(20)))
        closed = self.db.expire_orders(base.hours_from_now(4))
        self.assertEqual(([offer['uuid']], [bid['uuid']]),
                         (closed['offers'], closed['bids']))
        self.assertEqual('expired', self.db.get_offer(offer['uuid'])['status'])
        self.assertEqual('open', self.db.get_offer(later['uuid'])['status'])
        self.assertEqual('open', self.db.get_bid(lasting['uuid'])['status'])
        self.assertEqual({'offers': [], 'bids': []},
                         self.db.expire_orders(base.hours_from_now(4)))

    def test_expired_orders_cannot_be_booked(self):
        offer = self.make_offer(start=1, end=30)
        bid = self.make_bid(start=2)
        self.db.expire_orders(base.hours_from_now(2.5))
        self.assertRefused(base.award_for(bid, [offer]), 'expired')

    def test_reject_bids(self):
        bid = self.make_bid()
        taken = self.make_bid()
        self.commit(base.award_for(taken, [self.make_offer()]))
        rejected = self.db.reject_bids(
            [bid['uuid'], taken['uuid'], str(uuid.uuid4())], 'no match')
        self.assertEqual([bid['uuid']], rejected)
        self.assertEqual(('expired', 'no match'), tuple(
            self.db.get_bid(bid['uuid'])[k] for k in ('status',
                                                       'status_reason')))


class OrderBookTest(base.BookingTestCase):

    def test_order_book_shows_a_nodes_bookings_through_earlier_offers(self):
        # A booked offer withdrawn (its contract stands), the node offered
        # again: the new offer shows the old booking, else the engine
        # proposes that time again and again and the market refuses it.
        first = self.make_offer()
        contract = self.contract([first])
        self.db.withdraw_offer(first['uuid'])
        again = self.make_offer(resource_uuid=first['resource_uuid'])
        [offer] = self.db.order_book()['offers']
        self.assertEqual(again['uuid'], offer['uuid'])
        gap = self.db.cleaning_gap(again)
        self.assertEqual(
            [[base.parse(contract['start_time']) - gap,
              base.parse(contract['end_time']) + gap]],
            [[base.parse(start), base.parse(end)]
             for start, end in offer['busy']])

    def test_order_book_has_open_orders_and_busy_times(self):
        offer = self.make_offer()
        cancelled = self.make_offer()
        self.db.cancel_offer(cancelled['uuid'])
        contract = self.contract([offer])
        open_bid = self.make_bid(client=self.org_c)
        book = self.db.order_book()
        self.assertEqual([offer['uuid']], [o['uuid'] for o in book['offers']])
        self.assertEqual([open_bid['uuid']], [b['uuid'] for b in book['bids']])
        [busy] = book['offers'][0]['busy']
        # The booking with the cleaning gap on both sides: a rental before
        # it must end a gap before it starts (the clash rule).
        gap = self.db.cleaning_gap(offer)
        self.assertGreater(gap.total_seconds(), 0)
        self.assertEqual(base.parse(contract['start_time']) - gap,
                         base.parse(busy[0]))
        self.assertEqual(base.parse(contract['end_time']) + gap,
                         base.parse(busy[1]))
