import datetime

from tests.unit.provider import base


class LeaseTest(base.ProviderTestCase):
    def test_manager_lends_to_child_project(self):
        resp = self.lease()
        self.assertEqual(201, resp.status_code, resp.body)
        lease = resp.json
        self.assertEqual('scheduled', lease['status'])
        self.assertEqual('org-a', lease['project_id'])
        self.assertEqual('org-a-dev', lease['lessee_project_id'])
        self.assertEqual(self.node.id, lease['node_uuid'])
        # The child project sees it, a stranger does not.
        child = self.org_a.as_('org-a-dev')
        self.assertEqual([lease['uuid']], [
            le['uuid'] for le in child.get('/v1/leases').json['leases']])
        self.assertEqual(200, child.get(f'/v1/leases/{lease["uuid"]}')
                         .status_code)
        self.assertError(self.org_c.get(f'/v1/leases/{lease["uuid"]}'), 404)
        self.assertEqual([], self.org_c.get('/v1/leases').json['leases'])

    def test_only_to_a_child_project(self):
        error = self.assertError(self.lease(project='org-b'), 403,
                                 'not a child project')
        self.assertEqual('flocx.not_a_child_project', error['code'])
        self.assertError(self.lease(project='org-a'), 400)

    def test_plain_member_may_not_lend(self):
        self.assertError(self.lease(client=self.org_a), 403)

    def test_only_own_nodes(self):
        other = self.ironic.add_node('org-b')
        self.assertError(self.lease(node=other.id), 404)

    def test_offer_and_lease_exclude_each_other(self):
        start = base.from_now(hours=1)
        self.assertEqual(201, self.lease(start=start).status_code)
        later = start + datetime.timedelta(hours=2)
        error = self.assertError(self.offer(start=later), 409,
                                 'lent internally')
        self.assertEqual('flocx.lease_overlaps', error['code'])
        # Nothing reached the market.
        self.assertEqual([], self.market_db.list_offers(
            {}, None, 10, None, 'created_at', 'asc'))
        # After the lease, the node may be offered.
        after = start + datetime.timedelta(hours=4)
        self.assertEqual(201, self.offer(start=after).status_code)
        # And the reverse: no lease during an offer.
        error = self.assertError(
            self.lease(start=after + datetime.timedelta(hours=1)), 409,
            'already on offer')
        self.assertEqual('flocx.offer_overlaps', error['code'])

    def test_cancel(self):
        lease = self.lease().json
        self.assertError(self.org_a.delete(f'/v1/leases/{lease["uuid"]}'),
                         403)
        resp = self.org_a_manager.delete(f'/v1/leases/{lease["uuid"]}')
        self.assertEqual(200, resp.status_code, resp.body)
        self.assertEqual('cancelled', resp.json['status'])
        self.assertError(
            self.org_a_manager.delete(f'/v1/leases/{lease["uuid"]}'), 409)
        # The time is free again.
        self.assertEqual(201, self.offer().status_code)
