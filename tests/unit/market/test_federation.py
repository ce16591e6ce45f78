"""Clouds and organizations: who registers them, who decides memberships.

Requests are judged as the cloud whose Keystone vouched for them: a member
cloud's system admin administers memberships of its own cloud's projects, and
is nobody special for the market itself.
"""

from tests.unit.market import base


def _client(app, project='admin', roles='admin,member,reader', system=False,
            cloud=None):
    client = base.base.Client(app, project=project, roles=roles)
    if system:
        del client.headers['X-Project-Id']
        client.headers['OpenStack-System-Scope'] = 'all'
    if cloud:
        client.headers['OpenStack-Market-Cloud'] = cloud
    return client


class FederationBase(base.MarketTestCase):
    """Clouds cloud-b and cloud-c (site boston), organization acme."""

    def setUp(self):
        super().setUp()
        app = self.market.app
        self.market_admin = _client(app, system=True)
        self.market_reader = _client(app, roles='reader', system=True)
        self.project_admin = _client(app, project='org-c')
        self.cloud_b_admin = _client(app, system=True, cloud='cloud-b')
        self.cloud_c_admin = _client(app, system=True, cloud='cloud-c')
        self.b_member = _client(app, project='b-proj', roles='member,reader',
                                cloud='cloud-b')
        for name in ('cloud-b', 'cloud-c'):
            resp = self.market_admin.post('/v1/clouds', {
                'name': name, 'keystone_url': f'https://{name}.example/v3',
                'site': 'boston',
                'endpoints': {'baremetal': f'https://{name}.example:6385'}})
            self.assertEqual(201, resp.status_code, resp.body)
        resp = self.market_admin.post('/v1/organizations', {'name': 'acme'})
        self.assertEqual(201, resp.status_code, resp.body)
        self.acme = resp.json


class FederationTestCase(FederationBase):

    def test_the_market_admin_registers_clouds_every_party_reads_them(self):
        names = [c['name'] for c in self.org_a.get('/v1/clouds').json['clouds']]
        self.assertEqual(['cloud-b', 'cloud-c'], names)
        cloud = self.b_member.get('/v1/clouds/cloud-b').json
        self.assertEqual('https://cloud-b.example:6385',
                         cloud['endpoints']['baremetal'])
        self.assertEqual(404, self.org_a.get('/v1/clouds/nowhere').status_code)

    def test_only_the_market_admin_registers_a_cloud(self):
        body = {'name': 'cloud-d', 'keystone_url': 'https://d.example/v3'}
        for client in (self.project_admin, self.cloud_b_admin,
                       self.market_reader, self.org_a, self.service):
            resp = client.post('/v1/clouds', body)
            self.assertEqual(403, resp.status_code, resp.body)
        self.assertEqual(201,
                         self.market_admin.post('/v1/clouds', body).status_code)
        resp = self.market_admin.post('/v1/clouds', body)
        self.assertEqual(409, resp.status_code)

    def test_bad_clouds_are_refused_with_the_reason(self):
        for body, fragment in (
                ({'name': 'x y', 'keystone_url': 'https://x/v3'}, 'name'),
                ({'name': 'x', 'keystone_url': 'ftp://x/v3'}, 'keystone_url'),
                ({'name': 'x'}, 'keystone_url'),
                ({'name': 'x', 'keystone_url': 'https://x/v3',
                  'password': 'p'}, 'password')):
            resp = self.market_admin.post('/v1/clouds', body)
            self.assertEqual(400, resp.status_code, body)
            self.assertIn(fragment, resp.body.decode())

    def test_a_cloud_admin_decides_its_own_projects_only(self):
        path = f'/v1/organizations/{self.acme["uuid"]}/projects'
        resp = self.cloud_b_admin.post(
            path, {'cloud': 'cloud-b', 'project_id': 'b-proj'})
        self.assertEqual(201, resp.status_code, resp.body)
        self.assertEqual([{'cloud': 'cloud-b', 'project_id': 'b-proj'}],
                         resp.json['projects'])
        # Not another cloud's projects, nor the market's own.
        for cloud in ('cloud-c', 'home'):
            resp = self.cloud_b_admin.post(
                path, {'cloud': cloud, 'project_id': 'c-proj'})
            self.assertEqual(403, resp.status_code, resp.body)
        # A project admin is not a cloud admin.
        resp = self.project_admin.post(
            path, {'cloud': 'cloud-b', 'project_id': 'org-c'})
        self.assertEqual(403, resp.status_code, resp.body)
        self.assertEqual(
            201, self.cloud_c_admin.post(
                path, {'cloud': 'cloud-c', 'project_id': 'c-proj'}).status_code)
        removed = self.cloud_c_admin.delete(f'{path}/cloud-b/b-proj')
        self.assertEqual(403, removed.status_code)
        self.assertEqual(
            204, self.cloud_b_admin.delete(f'{path}/cloud-b/b-proj').status_code)

    def test_a_member_clouds_system_admin_is_not_the_markets(self):
        for method, path, body in (
                ('POST', '/v1/organizations', {'name': 'evil'}),
                ('DELETE', f'/v1/organizations/{self.acme["uuid"]}', None),
                ('DELETE', '/v1/clouds/cloud-c', None)):
            resp = self.cloud_b_admin.request(method, path, body)
            self.assertEqual(403, resp.status_code, (method, path, resp.body))

    def test_a_project_is_in_one_organization_and_sees_only_its_own(self):
        path = f'/v1/organizations/{self.acme["uuid"]}/projects'
        self.cloud_b_admin.post(path,
                                {'cloud': 'cloud-b', 'project_id': 'b-proj'})
        other = self.market_admin.post('/v1/organizations',
                                       {'name': 'other'}).json
        resp = self.cloud_b_admin.post(
            f'/v1/organizations/{other["uuid"]}/projects',
            {'cloud': 'cloud-b', 'project_id': 'b-proj'})
        self.assertEqual(409, resp.status_code)
        # The same project id in another cloud is another project.
        self.assertEqual(201, self.cloud_c_admin.post(
            f'/v1/organizations/{other["uuid"]}/projects',
            {'cloud': 'cloud-c', 'project_id': 'b-proj'}).status_code)
        mine = self.b_member.get('/v1/organizations').json['organizations']
        self.assertEqual(['acme'], [o['name'] for o in mine])
        self.assertEqual(404, self.b_member.get(
            f'/v1/organizations/{other["uuid"]}').status_code)
        self.assertEqual(['acme', 'other'], [
            o['name'] for o in
            self.market_reader.get('/v1/organizations').json['organizations']])
        self.assertEqual(self.acme['uuid'],
                         self.market.db.organization_of('cloud-b', 'b-proj'))
        self.assertIsNone(self.market.db.organization_of('home', 'b-proj'))

    def test_memberships_need_a_registered_cloud(self):
        resp = self.market_admin.post(
            f'/v1/organizations/{self.acme["uuid"]}/projects',
            {'cloud': 'nowhere', 'project_id': 'p'})
        self.assertEqual(400, resp.status_code)
        self.assertIn('nowhere', resp.body.decode())

    def test_a_cloud_in_use_cannot_be_removed(self):
        self.cloud_b_admin.post(
            f'/v1/organizations/{self.acme["uuid"]}/projects',
            {'cloud': 'cloud-b', 'project_id': 'b-proj'})
        self.assertEqual(
            409, self.market_admin.delete('/v1/clouds/cloud-b').status_code)
        self.assertEqual(
            204, self.market_admin.delete('/v1/clouds/cloud-c').status_code)
        self.assertEqual(
            404, self.market_admin.delete('/v1/clouds/cloud-c').status_code)

    def test_deletes_answer_204_without_a_body(self):
        # A "null" body after a 204 broke the next answer on a keep-alive
        # connection (the CLI's "cloud delete A B").
        org = self.acme['uuid']
        path = f'/v1/organizations/{org}/projects'
        self.cloud_b_admin.post(path, {'cloud': 'cloud-b',
                                       'project_id': 'b-proj'})
        for resp in (self.market_admin.delete(f'{path}/cloud-b/b-proj'),
                     self.market_admin.delete(f'/v1/organizations/{org}'),
                     self.market_admin.delete('/v1/clouds/cloud-b')):
            self.assertEqual((204, b''), (resp.status_code, resp.body))


class MemberCloudOffersTestCase(FederationBase):
    """Offers carry the cloud that vouched for their publisher."""

    def setUp(self):
        super().setUp()
        self.b_service = _client(self.market.app, project='b-service',
                                 roles='service', cloud='cloud-b')
        self.cloud_b_admin.post(
            f'/v1/organizations/{self.acme["uuid"]}/projects',
            {'cloud': 'cloud-b', 'project_id': 'b-proj'})

    def test_home_offers_are_the_home_clouds(self):
        offer = self.make_offer(cloud='cloud-b', site='mars')
        self.assertEqual('home', offer['cloud'])
        # The market's word on where a node is, not the publisher's.
        self.assertEqual('home', offer['properties']['cloud'])
        self.assertNotIn('site', offer['properties'])

    def test_a_member_clouds_provider_offers_its_members_nodes(self):
        resp = self.b_service.post('/v1/offers',
                                   base.offer_body(project='b-proj'))
        self.assertEqual(201, resp.status_code, resp.body)
        offer = resp.json
        self.assertEqual(('cloud-b', 'cloud-b:b-proj'),
                         (offer['cloud'], offer['project_id']))
        self.assertEqual({'cloud': 'cloud-b', 'site': 'boston'},
                         {k: offer['properties'][k]
                          for k in ('cloud', 'site')})
        # The owner sees it as its own; the home project with the same id
        # is another project.
        mine = self.b_member.get('/v1/offers?project_id=cloud-b:b-proj')
        self.assertEqual([offer['uuid']],
                         [o['uuid'] for o in mine.json['offers']])
        home_twin = _client(self.market.app, project='b-proj',
                            roles='member,reader')
        self.assertEqual(403, home_twin.delete(
            f'/v1/offers/{offer["uuid"]}').status_code)
        self.assertEqual(200, self.b_member.delete(
            f'/v1/offers/{offer["uuid"]}').status_code)

    def test_a_member_cloud_offers_only_for_its_organizations_projects(self):
        resp = self.b_service.post('/v1/offers',
                                   base.offer_body(project='stranger'))
        self.assertEqual(403, resp.status_code)
        self.assertEqual('flocx.not_a_member',
                         resp.json['errors'][0]['code'])

    def test_nobody_offers_a_node_of_another_cloud(self):
        home = self.make_offer()
        resp = self.b_service.post('/v1/offers', base.offer_body(
            project='b-proj', resource_uuid=home['resource_uuid'], start=60,
            end=70))
        self.assertEqual(409, resp.status_code)
        self.assertIn('node of cloud home', resp.body.decode())
        # Nor does the home provider offer a member cloud's project's node.
        resp = self.service.post('/v1/offers',
                                 base.offer_body(project='cloud-b:b-proj'))
        self.assertEqual(400, resp.status_code)


class OrganizationAcrossCloudsTestCase(MemberCloudOffersTestCase):
    """acme is b-proj in cloud-b and org-b at home: one party."""

    def setUp(self):
        super().setUp()
        self.market_admin.post('/v1/clouds', {
            'name': 'home', 'keystone_url': 'https://home.example/v3'})
        resp = self.market_admin.post(
            f'/v1/organizations/{self.acme["uuid"]}/projects',
            {'cloud': 'home', 'project_id': 'org-b'})
        self.assertEqual(201, resp.status_code, resp.body)
        self.b_member.headers['OpenStack-API-Version'] = 'marketplace 1.3'

    def test_each_project_reads_its_organizations_orders_and_contracts(self):
        # acme offers from cloud B and bids from home.
        b_offer = self.b_service.post(
            '/v1/offers', base.offer_body(project='b-proj')).json
        home_offer = self.make_offer()
        bid = self.make_bid()  # org-b's
        contract = self.market.db.commit_award(
            base.award_for(bid, [home_offer]))
        closed = self.b_service.post(
            '/v1/offers', base.offer_body(project='b-proj')).json
        self.b_member.delete(f"/v1/offers/{closed['uuid']}")

        # cloud B's member sees the home project's bid and rental...
        self.assertEqual([bid['uuid']], [
            b['uuid'] for b in self.b_member.get('/v1/bids').json['bids']])
        seen = self.b_member.get(f"/v1/contracts/{contract['uuid']}")
        self.assertEqual(200, seen.status_code, seen.body)
        # ... as its renter: with the price the organization pays.
        self.assertEqual(contract['price'], seen.json['price'])
        events = self.b_member.get('/v1/events').json['events']
        self.assertIn(bid['uuid'], [e['object_uuid'] for e in events])
        # and the home project sees cloud B's closed offer.
        cancelled = self.org_b.get('/v1/offers?status=cancelled').json
        self.assertEqual([closed['uuid']],
                         [o['uuid'] for o in cancelled['offers']])
        # An outsider sees none of it.
        self.assertEqual([], self.org_c.get('/v1/bids').json['bids'])
        self.assertEqual([], self.org_c.get(
            '/v1/offers?status=cancelled').json['offers'])
        self.assertEqual(404, self.org_c.get(
            f"/v1/contracts/{contract['uuid']}").status_code)
        self.assertEqual(200, self.b_member.get(
            f"/v1/bids/{bid['uuid']}").status_code)
        # Changes stay with the project that made the order.
        self.assertEqual(403, self.b_member.delete(
            f"/v1/bids/{bid['uuid']}").status_code)
        self.assertEqual(200, self.org_b.get(
            f"/v1/offers/{b_offer['uuid']}").status_code)

    def test_the_statement_is_the_organizations(self):
        offer = self.make_offer()
        bid = self.make_bid()
        self.market.db.commit_award(base.award_for(bid, [offer]))
        period = base.parse(bid['start_time']).strftime('%Y-%m')
        self.b_member.headers['OpenStack-API-Version'] = 'marketplace 1.1'
        resp = self.b_member.get(f'/v1/statements?period={period}')
        self.assertEqual(200, resp.status_code, resp.body)
        self.assertEqual(['cloud-b:b-proj', 'org-b'], resp.json['projects'])
        self.assertEqual([('org-b', 'renter')], [
            (line['project_id'], line['role'])
            for line in resp.json['contracts']])
        # One project of the organization, if asked; not another's.
        resp = self.b_member.get(
            f'/v1/statements?period={period}&project_id=cloud-b:b-proj')
        self.assertEqual([], resp.json['contracts'])
        resp = self.b_member.get('/v1/statements?project_id=org-a')
        self.assertEqual(404, resp.status_code)
