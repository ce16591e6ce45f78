from tests.unit.market import base


class SmokeTest(base.MarketTestCase):
    def test_offer_bid(self):
        offer = self.make_offer()
        self.assertEqual('open', offer['status'])
        bid = self.make_bid()
        self.assertEqual('open', bid['status'])
        resp = self.org_c.get('/v1/offers')
        self.assertEqual(200, resp.status_code, resp.body)
        self.assertEqual([offer['uuid']], [o['uuid'] for o in resp.json['offers']])
        self.assertEqual(404, self.org_c.get(f"/v1/bids/{bid['uuid']}").status_code)
