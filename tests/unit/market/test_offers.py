"""/v1/offers: publishing, validation, visibility, cancellation."""

import datetime
import json
import uuid

from tests.unit.market import base

OFFER_FIELDS = {'uuid', 'project_id', 'provider', 'cloud', 'resource_type',
                'resource_uuid', 'resource_class', 'properties',
                'start_time', 'end_time', 'price', 'status', 'status_reason',
                'created_at', 'updated_at', 'cleaning_gap'}


class OfferCreateTest(base.MarketTestCase):

    def test_create_returns_201_location_and_fields(self):
        body = base.offer_body(price=1.25)
        body['provider'] = 'provider-east'
        resp = self.service.post('/v1/offers', body)
        self.assertEqual(201, resp.status_code, resp.body)
        offer = resp.json
        self.assertEqual(OFFER_FIELDS, set(offer))
        self.assertTrue(resp.location.endswith(f"/v1/offers/{offer['uuid']}"))
        self.assertEqual(('open', 'ironic_node', 1.25, 'provider-east'),
                         (offer['status'], offer['resource_type'],
                          offer['price'], offer['provider']))
        self.assertEqual(base.parse(body['start_time']),
                         base.parse(offer['start_time']))
        shown = self.org_c.get(resp.location).json
        self.assertEqual(offer, shown)

    def test_admin_may_publish(self):
        resp = self.admin.post('/v1/offers', base.offer_body())
        self.assertEqual(201, resp.status_code, resp.body)

    def test_unicode_property_values_round_trip(self):
        body = base.offer_body(vendor='Ünïcødé ☃', cpus=4)
        offer = self.service.post('/v1/offers', body).json
        self.assertEqual('Ünïcødé ☃', offer['properties']['vendor'])

    def test_overlapping_offer_for_one_node_is_409(self):
        offer = self.make_offer(start=1, end=10)
        node = offer['resource_uuid']
        resp = self.service.post('/v1/offers', base.offer_body(
            resource_uuid=node, start=9, end=20))
        error = self.assertError(resp, 409, offer['uuid'])
        self.assertEqual('flocx.offer_overlaps', error['code'])
        # Back to back is fine, as is another node at the same time.
        self.make_offer(resource_uuid=node, start=10, end=20)
        self.make_offer(start=1, end=10)

    def test_node_uuid_is_case_insensitive(self):
        offer = self.make_offer()
        resp = self.service.post('/v1/offers', base.offer_body(
            resource_uuid=offer['resource_uuid'].upper()))
        self.assertError(resp, 409)

    def test_cancelled_offer_frees_the_window(self):
        offer = self.make_offer()
        self.assertEqual(200, self.org_a.delete(
            f"/v1/offers/{offer['uuid']}").status_code)
        self.make_offer(resource_uuid=offer['resource_uuid'])


class OfferValidationTest(base.MarketTestCase):
    """Every bad body is a 400 whose pointer names the field."""

    def assertInvalid(self, pointer, **changes):
        body = base.offer_body()
        for key, value in changes.items():
            if value is KeyError:
                del body[key]
            else:
                body[key] = value
        resp = self.service.post('/v1/offers', body)
        error = self.assertError(resp, 400)
        self.assertEqual(pointer, error.get('source', {}).get('pointer'),
                         error)
        return error

    def test_unknown_field(self):
        error = self.assertInvalid('/', colour='red')
        self.assertIn('colour', error['detail'])

    def test_missing_field(self):
        error = self.assertInvalid('/', price=KeyError)
        self.assertIn("'price' is a required property", error['detail'])

    def test_wrong_types(self):
        self.assertInvalid('/price', price='1.0')
        self.assertInvalid('/price', price=True)
        self.assertInvalid('/start_time', start_time=12345)
        self.assertInvalid('/properties', properties=['cpus'])
        self.assertInvalid('/properties/cpus', properties={'cpus': 'many'})
        self.assertInvalid('/properties/cpus', properties={'cpus': 1.5})
        self.assertInvalid('/resource_type', resource_type='vm')

    def test_bad_identifiers(self):
        self.assertInvalid('/resource_uuid', resource_uuid='not-a-uuid')
        self.assertInvalid('/project_id', project_id='')
        self.assertInvalid('/project_id', project_id='a b')
        self.assertInvalid('/resource_class', resource_class='bäremetal')
        self.assertInvalid('/resource_class', resource_class='x' * 256)

    def test_trailing_newline_in_names(self):
        self.assertInvalid('/resource_class', resource_class='baremetal\n')
        self.assertInvalid('/project_id', project_id='org-a\n')
        self.assertInvalid('/properties',
                           properties={'cpu_arch\n': 'x86_64'})

    def test_prices(self):
        self.assertInvalid('/price', price=-0.01)
        self.assertInvalid('/price', price=1e10)
        # Above [market] max_price (1e6) although the schema allows it.
        self.assertInvalid('/price', price=2e6)
        error = self.assertInvalid('/price', price=1.0000001)
        self.assertIn('more than 6 decimal places', error['detail'])

    def test_non_finite_prices(self):
        for raw in ('NaN', 'Infinity', '-Infinity', '1e400'):
            body = json.dumps(base.offer_body()).replace(
                '"price": 1.0', f'"price": {raw}')
            self.assertError(self.service.post('/v1/offers', raw=body), 400,
                             raw.lstrip('-')[:3])

    def test_end_before_start(self):
        self.assertInvalid('/end_time', **self.window(5, 4))
        self.assertInvalid('/end_time', **self.window(5, 5))

    def test_past_window(self):
        self.assertInvalid('/end_time', **self.window(-10, -1))
        self.assertInvalid('/start_time', **self.window(-1, 5))

    def test_far_future_and_too_long(self):
        self.assertInvalid('/start_time', **self.window(24 * 800,
                                                        24 * 801))
        self.assertInvalid('/end_time', **self.window(1, 24 * 400))
        self.assertInvalid('/start_time',
                           start_time='2300-01-01T00:00:00Z')
        self.assertInvalid('/start_time', start_time='yesterday')

    def test_times_with_offset_are_normalized_to_utc(self):
        start = base.hours_from_now(3).replace(microsecond=0)
        local = (start + datetime.timedelta(hours=2)).isoformat() + '+02:00'
        body = base.offer_body()
        body['start_time'] = local
        offer = self.service.post('/v1/offers', body).json
        self.assertEqual(start, base.parse(offer['start_time']))

    def test_oversize_collections(self):
        self.assertInvalid('/properties', properties={
            f'k{i}': 1 for i in range(65)})
        self.assertInvalid('/properties/traits',
                           properties={'traits': ['T'] * 129})

    @staticmethod
    def window(start_hours, end_hours):
        return {'start_time': base.iso(base.hours_from_now(start_hours)),
                'end_time': base.iso(base.hours_from_now(end_hours))}


class OfferVisibilityTest(base.MarketTestCase):

    def setUp(self):
        super().setUp()
        self.open = self.make_offer(project='org-a')
        self.cancelled = self.make_offer(project='org-a')
        self.org_a.delete(f"/v1/offers/{self.cancelled['uuid']}")

    def uuids(self, client, query=''):
        resp = client.get(f'/v1/offers{query}')
        self.assertEqual(200, resp.status_code, resp.body)
        return {o['uuid'] for o in resp.json['offers']}

    def test_open_offers_are_visible_to_everyone(self):
        for client in (self.org_a, self.org_b, self.org_c, self.admin):
            resp = client.get(f"/v1/offers/{self.open['uuid']}")
            self.assertEqual(200, resp.status_code)
            self.assertIn(self.open['uuid'], self.uuids(client))

    def test_closed_offer_only_for_owner_and_admin(self):
        path = f"/v1/offers/{self.cancelled['uuid']}"
        self.assertEqual('cancelled', self.org_a.get(path).json['status'])
        self.assertEqual(200, self.admin.get(path).status_code)
        self.assertError(self.org_b.get(path), 404)
        self.assertNotIn(self.cancelled['uuid'], self.uuids(self.org_b))
        self.assertNotIn(self.cancelled['uuid'],
                         self.uuids(self.org_b, '?status=cancelled'))
        self.assertIn(self.cancelled['uuid'], self.uuids(self.org_a))
        self.assertIn(self.cancelled['uuid'], self.uuids(self.admin))

    def test_unknown_offer_is_404(self):
        self.assertError(self.org_a.get(f'/v1/offers/{uuid.uuid4()}'), 404)
        self.assertError(self.org_a.delete(f'/v1/offers/{uuid.uuid4()}'),
                         404)


class OfferCancelTest(base.BookingTestCase):

    def test_owner_cancels(self):
        offer = self.make_offer()
        resp = self.org_a.delete(f"/v1/offers/{offer['uuid']}")
        self.assertEqual(200, resp.status_code, resp.body)
        self.assertEqual('cancelled', resp.json['status'])
        self.assertEqual('cancelled by its owner', resp.json['status_reason'])

    def test_cancel_twice_is_409(self):
        offer = self.make_offer()
        self.org_a.delete(f"/v1/offers/{offer['uuid']}")
        error = self.assertError(
            self.org_a.delete(f"/v1/offers/{offer['uuid']}"), 409)
        self.assertEqual('flocx.offer_not_open', error['code'])

    def test_other_project_cannot_cancel(self):
        offer = self.make_offer()
        self.assertError(self.org_b.delete(f"/v1/offers/{offer['uuid']}"),
                         403)
        self.assertEqual('open', self.db.get_offer(offer['uuid'])['status'])

    def test_booked_offer_is_409_until_contract_ends(self):
        offer = self.make_offer()
        contract = self.contract([offer])
        error = self.assertError(
            self.org_a.delete(f"/v1/offers/{offer['uuid']}"), 409,
            contract['uuid'])
        self.assertEqual('flocx.offer_contracted', error['code'])
        self.db.update_contract_status(contract['uuid'], 'cancelled')
        self.assertEqual(200, self.org_a.delete(
            f"/v1/offers/{offer['uuid']}").status_code)


class OfferFilterTest(base.MarketTestCase):

    def test_filters(self):
        gpu = self.make_offer(resource_class='gpu', start=1, end=5)
        plain = self.make_offer(project='org-c', start=10, end=20)
        cases = {
            '?resource_class=gpu': {gpu['uuid']},
            '?project_id=org-c': {plain['uuid']},
            f"?resource_uuid={gpu['resource_uuid']}": {gpu['uuid']},
            '?status=open': {gpu['uuid'], plain['uuid']},
            '?status=expired': set(),
            f'?starts_after={base.iso(base.hours_from_now(5))}':
                {plain['uuid']},
            f'?starts_before={base.iso(base.hours_from_now(5))}':
                {gpu['uuid']},
            f'?ends_before={base.iso(base.hours_from_now(6))}':
                {gpu['uuid']},
            f'?ends_after={base.iso(base.hours_from_now(6))}':
                {plain['uuid']},
        }
        for query, expected in cases.items():
            resp = self.org_b.get('/v1/offers' + query.replace('+', '%2B'))
            self.assertEqual(200, resp.status_code, resp.body)
            self.assertEqual(expected,
                             {o['uuid'] for o in resp.json['offers']}, query)

    def test_bad_filter_values(self):
        self.assertError(self.org_b.get('/v1/offers?status=sold'), 400,
                         'status')
        self.assertError(self.org_b.get('/v1/offers?starts_after=soon'), 400,
                         'starts_after')
