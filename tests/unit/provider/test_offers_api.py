import datetime

from tests.unit.provider import base


class OfferCreateTest(base.ProviderTestCase):
    def test_offer_is_published_to_the_market(self):
        resp = self.offer(price=1.5)
        self.assertEqual(201, resp.status_code, resp.body)
        offer = resp.json
        self.assertEqual('org-a', offer['project_id'])
        self.assertEqual(self.node.id, offer['node_uuid'])
        self.assertEqual('open', offer['status'])
        self.assertEqual('baremetal', offer['resource_class'])
        self.assertEqual({'cpus': 16, 'memory_mb': 65536, 'local_gb': 500,
                          'cpu_arch': 'x86_64', 'traits': ['CUSTOM_GPU']},
                         offer['properties'])
        self.assertTrue(resp.location.endswith(f'/v1/offers/{offer["uuid"]}'))
        # It really is in the market's database, as this provider's.
        market_offer = self.market_db.get_offer(offer['market_offer_uuid'])
        self.assertEqual('open', market_offer['status'])
        self.assertEqual('org-a', market_offer['project_id'])
        self.assertEqual(base.PROVIDER, market_offer['provider'])
        self.assertEqual(self.node.id, market_offer['resource_uuid'])
        self.assertEqual(offer['start_time'], market_offer['start_time'])
        self.assertEqual(1.5, market_offer['price'])
        self.assertEqual(['CUSTOM_GPU'], market_offer['properties']['traits'])

    def test_node_by_name(self):
        resp = self.offer(node='a-node-0')
        self.assertEqual(201, resp.status_code, resp.body)
        self.assertEqual(self.node.id, resp.json['node_uuid'])

    def test_node_not_visible_is_404(self):
        resp = self.offer(client=self.org_c)
        self.assertError(resp, 404, self.node.id)
        self.assertEqual([], self.market_db.list_offers(
            {}, None, 10, None, 'created_at', 'asc'))

    def test_leased_node_is_visible_but_not_owned_403(self):
        self.node.lessee = 'org-b'
        self.assertError(self.offer(client=self.org_b), 403, 'not owned')

    def test_project_that_granted_nothing_is_403(self):
        self.ironic.add_node('org-x', name='x-node')
        client = self.org_a.as_('org-x')
        self.assertError(self.offer(client=client, node='x-node'), 403,
                         'service role')

    def test_reader_may_not_offer(self):
        self.assertError(self.offer(client=self.org_a.as_('org-a', 'reader')),
                         403)

    def test_not_offerable_is_409_with_reason(self):
        self.node.is_maintenance = True
        self.node.maintenance_reason = 'bad disk'
        error = self.assertError(self.offer(), 409, 'bad disk')
        self.assertEqual('flocx.node_not_offerable', error['code'])
        self.node.is_maintenance = False
        self.node.provision_state = 'active'
        self.node.instance_id = 'abc'
        self.assertError(self.offer(), 409, "provision state is 'active'")

    def test_overlapping_offer_is_409(self):
        start = base.from_now(hours=1)
        self.assertEqual(201, self.offer(start=start).status_code)
        resp = self.offer(start=start + datetime.timedelta(hours=3))
        error = self.assertError(resp, 409, 'already on offer')
        self.assertEqual('flocx.offer_overlaps', error['code'])
        # Back to back is fine.
        resp = self.offer(start=start + datetime.timedelta(hours=4))
        self.assertEqual(201, resp.status_code, resp.body)

    def test_bad_input_is_400(self):
        self.assertError(self.org_a.post('/v1/offers', {'node': 'x'}), 400,
                         'start_time')
        resp = self.offer(start=base.from_now(hours=2),
                          end=base.from_now(hours=1))
        self.assertError(resp, 400, 'end_time must be after')
        resp = self.org_a.post('/v1/offers', {
            'node': self.node.id, 'start_time': 'soon',
            'end_time': 'later', 'price': 1, 'color': 'red'})
        self.assertError(resp, 400)
        self.assertError(self.offer(start=base.from_now(days=-1)), 400,
                         'in the past')

    def test_market_refusal_leaves_no_offer_behind(self):
        # The market already has an offer for this node (e.g. from an
        # admin): it refuses ours, and the provider forgets it.
        from tests.unit.market import base as market_base
        body = market_base.offer_body(resource_uuid=self.node.id, start=0.5,
                                      end=10)
        self.market_db.create_offer(dict(
            body, resource_type='ironic_node',
            start_time=base.from_now(minutes=30),
            end_time=base.from_now(hours=10)))
        self.assertError(self.offer(), 409, 'already on offer')
        self.assertEqual([], self.fx.db.list_offers(
            {}, None, 10, None, 'created_at', 'asc'))


class OfferReadCancelTest(base.ProviderTestCase):
    def test_list_and_show_own_only(self):
        offer = self.offer().json
        other = self.ironic.add_node('org-b')
        self.assertEqual(201, self.offer(self.org_b, node=other.id)
                         .status_code)
        listed = self.org_a.get('/v1/offers').json['offers']
        self.assertEqual([offer['uuid']], [o['uuid'] for o in listed])
        self.assertEqual(200, self.org_a.get(f'/v1/offers/{offer["uuid"]}')
                         .status_code)
        self.assertError(self.org_c.get(f'/v1/offers/{offer["uuid"]}'), 404)
        # A project's admin is the admin of its own organization only.
        org_c_admin = self.org_a.as_('org-c', 'admin,member,reader')
        self.assertEqual([], org_c_admin.get('/v1/offers').json['offers'])
        system_reader = type(self.org_a)(self.org_a.app, system=True,
                                         roles='reader')
        self.assertEqual(2, len(system_reader.get('/v1/offers')
                                .json['offers']))
        self.assertError(self.org_a.get('/v1/offers?colour=red'), 400)

    def test_cancel_cancels_on_the_market(self):
        offer = self.offer().json
        self.assertError(self.org_c.delete(f'/v1/offers/{offer["uuid"]}'),
                         404)
        resp = self.org_a.delete(f'/v1/offers/{offer["uuid"]}')
        self.assertEqual(200, resp.status_code, resp.body)
        self.assertEqual('cancelled', resp.json['status'])
        self.assertEqual('cancelled', self.market_db.get_offer(
            offer['market_offer_uuid'])['status'])
        self.assertError(self.org_a.delete(f'/v1/offers/{offer["uuid"]}'),
                         409)
        # The node may be offered again for that time.
        self.assertEqual(201, self.offer().status_code)

    def test_cancel_booked_offer_is_409(self):
        offer = self.offer(start=base.from_now(seconds=5)).json
        self.contract([offer], base.from_now(hours=1), 3600)
        resp = self.org_a.delete(f'/v1/offers/{offer["uuid"]}')
        self.assertError(resp, 409, 'booked')
        self.assertEqual('open', self.fx.db.get_offer(offer['uuid'])['status'])

    def test_cancel_offer_already_closed_on_the_market(self):
        offer = self.offer().json
        self.market_db.cancel_offer(offer['market_offer_uuid'],
                                    'cancelled by an admin')
        resp = self.org_a.delete(f'/v1/offers/{offer["uuid"]}')
        self.assertEqual(200, resp.status_code, resp.body)
        self.assertEqual('cancelled', resp.json['status'])
