"""The market manager over oslo.messaging's fake transport, and the
versioned notifications every state change emits."""

import decimal
import logging
from unittest import mock

import fixtures
import oslo_messaging as messaging
from oslo_messaging.notify import _impl_test

from flocx_common.api import errors
from flocx_common import context
from flocx_market.cmd import manager as manager_cmd
from flocx_market import rpcapi
from tests.unit.market import base


class NotificationsMixin:

    def setUp(self):
        super().setUp()
        _impl_test.reset()
        self.addCleanup(_impl_test.reset)

    def notifications(self):
        return [(m['event_type'], p, m['payload']['flocx_object.data'])
                for _, m, p, _ in _impl_test.NOTIFICATIONS]

    def event_types(self):
        return [t for t, _, _ in self.notifications()]


class ManagerRpcTest(NotificationsMixin, base.BookingTestCase):
    """ManagerService serves MarketAPI calls as the engine makes them."""

    def setUp(self):
        super().setUp()
        self.service_ = manager_cmd.ManagerService(self.market.conf,
                                                   self.market.services)
        self.service_.start()
        self.addCleanup(self.service_.stop)
        self.api = rpcapi.MarketAPI(self.market.conf, timeout=10,
                                    provider='east')
        self.ctx = context.get_admin_context()

    def publish(self, provider='east', **kw):
        return self.api.publish_offer(
            self.ctx, dict(base.offer_body(**kw), provider=provider))

    def test_publish_list_and_cancel_offer(self):
        offer = self.publish(provider='east')
        self.assertEqual('open', offer['status'])
        listed = self.api.list_offers(self.ctx, 'east')
        self.assertEqual([offer['uuid']], [o['uuid'] for o in listed])
        self.assertEqual([], self.api.list_offers(self.ctx, 'west'))
        cancelled = self.api.cancel_offer(self.ctx, offer['uuid'])
        self.assertEqual('cancelled by its provider',
                         cancelled['status_reason'])

    def test_invalid_offer_raises_the_api_error_remotely(self):
        e = self.assertRaises(errors.BadRequest, self.publish, price=-1)
        self.assertIn('price', str(e))
        e = self.assertRaises(errors.BadRequest, self.publish,
                              price=decimal.Decimal('1.0000001'))
        self.assertIn('more than 6 decimal places', str(e))
        # The bus carries a price as a number, and the market keeps it.
        offer = self.publish(price=decimal.Decimal('2.123457'))
        self.assertEqual(decimal.Decimal('2.123457'),
                         self.market.db.get_offer(offer['uuid'])['price'])
        offer = self.publish()
        self.api.cancel_offer(self.ctx, offer['uuid'])
        self.assertRaises(errors.Conflict, self.api.cancel_offer, self.ctx,
                          offer['uuid'])

    def test_a_caller_s_bad_input_is_its_error_not_the_manager_s(self):
        """The auction API passes a client's marker and ``since`` on: a
        bad one is a 400 for that client, not an ERROR with a traceback in
        the manager's log (the deployed-shape fuzz run found one per
        request)."""
        logged = self.useFixture(fixtures.FakeLogger(
            name='oslo_messaging.rpc.server', level=logging.ERROR))
        e = self.assertRaises(errors.BadRequest, self.api.list_rounds,
                              self.ctx, 10, '3f1b5c1e-0000-4000-8000-00000000')
        self.assertIn('marker', str(e))
        for since in ('yesterday', ''):
            e = self.assertRaises(errors.BadRequest, self.api.market_prices,
                                  self.ctx, None, since)
            self.assertIn('since', str(e))
        self.assertRaises(errors.NotFound, self.api.get_round, self.ctx,
                          'no-such-round')
        self.assertEqual('', logged.output)

    def test_round_trip_of_an_auction_round(self):
        offers = [self.publish(), self.publish()]
        bid = self.make_bid()
        loser = self.make_bid(client=self.org_c)
        book = self.api.get_order_book(self.ctx)
        self.assertEqual({o['uuid'] for o in offers},
                         {o['uuid'] for o in book['offers']})
        self.assertEqual({bid['uuid'], loser['uuid']},
                         {b['uuid'] for b in book['bids']})

        award = base.award_for(bid, offers[:1])
        wire = dict(award, start_time=base.iso(award['start_time']),
                    end_time=base.iso(award['end_time']))
        stale = dict(base.award_for(loser, offers[1:2]), price=99)
        stale = dict(stale, start_time=base.iso(stale['start_time']),
                     end_time=base.iso(stale['end_time']))
        result = self.api.commit_awards(self.ctx, 'round-7', [wire, stale])
        [contract] = result['accepted']
        self.assertEqual(('round-7', bid['uuid']),
                         (contract['round_id'], contract['bid_uuid']))
        self.assertEqual([loser['uuid']],
                         [r['bid_uuid'] for r in result['refused']])
        self.assertIn('above the bid', result['refused'][0]['reason'])
        # The engine retrying the same round changes nothing.
        again = self.api.commit_awards(self.ctx, 'round-7', [wire])
        self.assertEqual([contract['uuid']],
                         [c['uuid'] for c in again['accepted']])

        self.assertEqual([contract['uuid']], [
            c['uuid'] for c in self.api.list_contracts(self.ctx, 'east')])
        active = self.api.update_contract(self.ctx, contract['uuid'],
                                          'active')
        self.assertEqual('active', active['status'])
        self.assertRaises(errors.Conflict, self.api.update_contract,
                          self.ctx, contract['uuid'], 'scheduled')
        self.assertEqual([loser['uuid']], self.api.reject_bids(
            self.ctx, [loser['uuid']], 'not cleared'))

        self.assertEqual(
            ['offer.create', 'offer.create', 'bid.create', 'bid.create',
             'contract.create', 'contract.start', 'bid.expire'],
            self.event_types())


    def test_a_provider_acts_on_its_own_offers_and_nodes_only(self):
        offer = self.publish()
        bid = self.make_bid()
        [contract] = self.api.commit_awards(self.ctx, 'r1', [dict(
            award, start_time=base.iso(award['start_time']),
            end_time=base.iso(award['end_time'])) for award in [
                base.award_for(bid, [offer])]])['accepted']
        west = rpcapi.MarketAPI(self.market.conf, timeout=10,
                                provider='west')
        nameless = rpcapi.MarketAPI(self.market.conf, timeout=10)
        node = offer['resource_uuid']
        logged = self.useFixture(fixtures.FakeLogger(level='WARNING'))
        for api, code in ((west, 'flocx.not_your_node'),
                          (nameless, 'flocx.provider_unnamed')):
            for call in (
                    lambda: api.update_contract(self.ctx, contract['uuid'],
                                                'failed', 'forged'),
                    lambda: api.report_delivery(
                        self.ctx, contract['uuid'], node,
                        lent_at=base.iso(base.hours_from_now(0))),
                    lambda: api.set_contract_access(
                        self.ctx, contract['uuid'], {'secret': 'x'})):
                e = self.assertRaises(errors.Forbidden, call)
                self.assertEqual(code, e.code)
        e = self.assertRaises(errors.Forbidden, west.cancel_offer, self.ctx,
                              offer['uuid'])
        self.assertEqual('flocx.not_your_offer', e.code)
        # Nor does it publish in another provider's name.
        e = self.assertRaises(errors.Forbidden, west.publish_offer, self.ctx,
                              dict(base.offer_body(), provider='east'))
        self.assertEqual('flocx.not_your_offer', e.code)
        self.assertIn(f'Refused a report on contract {contract["uuid"]} '
                      'from provider west', logged.output)
        stored = self.market.db.get_contract(contract['uuid'])
        self.assertEqual(('scheduled', [None]), (
            stored['status'], [n['lent_at'] for n in stored['nodes']]))
        self.assertIsNone(self.market.db.get_contract_access(
            contract['uuid']))
        self.assertEqual('open',
                         self.market.db.get_offer(offer['uuid'])['status'])
        # Its own provider is heard.
        self.assertEqual('active', self.api.update_contract(
            self.ctx, contract['uuid'], 'active')['status'])


class NotificationTest(NotificationsMixin, base.BookingTestCase):
    """Every change of an offer, bid or contract is told to the bus."""

    def test_offer_and_bid_changes(self):
        offer = self.make_offer()
        bid = self.make_bid()
        self.org_a.delete(f"/v1/offers/{offer['uuid']}")
        self.org_b.delete(f"/v1/bids/{bid['uuid']}")
        notes = self.notifications()
        self.assertEqual(['offer.create', 'bid.create', 'offer.cancel',
                          'bid.cancel'], [t for t, _, _ in notes])
        self.assertEqual({'INFO'}, {p for _, p, _ in notes})
        self.assertEqual('cancelled', notes[2][2]['status'])
        [_, message, _, _] = _impl_test.NOTIFICATIONS[0]
        payload = message['payload']
        self.assertEqual(('OfferPayload', 'flocx', '1.0'), (
            payload['flocx_object.name'], payload['flocx_object.namespace'],
            payload['flocx_object.version']))
        self.assertTrue(message['publisher_id'].startswith('flocx-market.'))

    def test_contract_changes_and_failure_is_error_level(self):
        offer = self.make_offer()
        result = self.market.services.market.commit_awards(
            context.get_admin_context(), 'r1',
            [base.award_for(self.make_bid(), [offer])])
        [contract] = result['accepted']
        market = self.market.services.market
        market.update_contract(context.get_admin_context(),
                               contract['uuid'], 'active')
        market.update_contract(context.get_admin_context(),
                               contract['uuid'], 'failed', 'power loss')
        contract_notes = [(t, p) for t, p, _ in self.notifications()
                          if t.startswith('contract.')]
        self.assertEqual([('contract.create', 'INFO'),
                          ('contract.start', 'INFO'),
                          ('contract.fail', 'ERROR')], contract_notes)

    def test_expiry_notifies(self):
        offer = self.make_offer(start=1, end=2)
        self.market.services.market.expire_orders(
            context.get_admin_context(), base.hours_from_now(3))
        self.assertIn(('offer.expire', 'INFO', {'uuid': offer['uuid']}),
                      self.notifications())

    def test_level_none_switches_notifications_off(self):
        self.market.conf.set_override('notification_level', 'none',
                                      group='notifications')
        market = base.market.build_services(self.market.conf,
                                            db=self.market.db).market
        market.create_bid(context.get_admin_context(), {
            'project_id': 'org-b', 'quantity': 1, 'resource_class': None,
            'constraints': [], 'start_time': base.hours_from_now(2),
            'latest_start_time': base.hours_from_now(2), 'duration': 3600,
            'price': 1, 'decide_by': None})
        self.assertEqual([], self.notifications())


class NoEngineListensTest(base.BookingTestCase):
    """The casts that keep the engines' books warm are best effort: with
    no engine running RabbitMQ has no fanout exchange to take them
    (404 NOT_FOUND); the order is in the market's database all the same,
    and an engine reloads the whole book when it takes the lead. Each such
    request was a 500 after the order was written (found in the deployed
    shape: an offer created while the only engine restarted)."""

    def setUp(self):
        super().setUp()
        self.casts = []

        def cast(ctx, method, **kwargs):
            self.casts.append(method)
            raise messaging.MessageDeliveryFailure(
                "Basic.publish: (404) NOT_FOUND - no exchange "
                "'flocx-auction_fanout'")

        client = self.market.services.market.auction.client
        self.useFixture(fixtures.MockPatchObject(
            client, 'prepare', return_value=mock.Mock(cast=cast)))
        self.logged = self.useFixture(fixtures.FakeLogger(
            name='flocx_auction.rpcapi', level=logging.WARNING))

    def test_orders_are_made_and_cancelled_without_an_engine(self):
        offer = self.make_offer()
        bid = self.make_bid(price=7.31913)
        self.assertEqual(200, self.org_b.delete(
            f"/v1/bids/{bid['uuid']}").status_code)
        self.assertEqual(200, self.service.delete(
            f"/v1/offers/{offer['uuid']}").status_code)
        self.assertEqual(['order_created', 'order_created',
                          'order_cancelled', 'order_cancelled'], self.casts)
        self.assertEqual('cancelled', self.db.get_bid(bid['uuid'])['status'])
        self.assertIn('order_created', self.logged.output)
        self.assertNotIn('7.319', self.logged.output)
