"""What every FLOCX API shares: discovery, microversions, JSON errors."""

import json

from tests.unit import base
from tests.unit.market import base as mbase

HEADER = 'OpenStack-API-Version'


class VersionDiscoveryTest(mbase.MarketTestCase):

    def test_root_lists_v1_without_identity(self):
        resp = self.org_a.get('/', headers={'X-Roles': ''})
        self.assertEqual(200, resp.status_code)
        [version] = resp.json['versions']
        self.assertEqual('v1', version['id'])
        self.assertEqual('CURRENT', version['status'])
        self.assertEqual(('1.0', '1.3'),
                         (version['min_version'], version['max_version']))
        self.assertEqual('http://localhost/v1/',
                         version['links'][0]['href'])
        self.assertEqual('application/vnd.openstack.marketplace-v1+json',
                         version['media-types'][0]['type'])

    def test_v1_document_and_version_header(self):
        resp = self.org_a.get('/v1')
        self.assertEqual(200, resp.status_code)
        self.assertEqual('v1', resp.json['version']['id'])
        self.assertEqual('marketplace 1.0', resp.headers[HEADER])
        self.assertIn(HEADER, resp.headers['Vary'])

    def test_public_endpoint_in_links(self):
        market = self.useFixture(mbase.MarketFixture(
            **{'api.public_endpoint': 'https://market.example.com/'}))
        resp = base.Client(market.app).get('/')
        self.assertEqual('https://market.example.com/v1/',
                         resp.json['versions'][0]['links'][0]['href'])

    def test_forwarded_proto_honoured(self):
        market = self.useFixture(mbase.MarketFixture(
            **{'oslo_middleware.enable_proxy_headers_parsing': True}))
        resp = base.Client(market.app).get(
            '/', headers={'X-Forwarded-Proto': 'https'})
        self.assertTrue(resp.json['versions'][0]['links'][0]['href']
                        .startswith('https://'))


class MicroversionTest(mbase.MarketTestCase):

    def get(self, version):
        return self.org_a.get('/v1/offers', headers={HEADER: version})

    def test_no_header_gets_minimum(self):
        resp = self.org_a.get('/v1/offers')
        self.assertEqual(200, resp.status_code)
        self.assertEqual('marketplace 1.0', resp.headers[HEADER])

    def test_exact_and_latest(self):
        for requested, got in (('marketplace 1.0', '1.0'),
                               ('marketplace 1.1', '1.1'),
                               ('marketplace 1.2', '1.2'),
                               ('marketplace 1.3', '1.3'),
                               ('marketplace latest', '1.3')):
            resp = self.get(requested)
            self.assertEqual(200, resp.status_code, requested)
            self.assertEqual(f'marketplace {got}', resp.headers[HEADER])

    def test_other_service_header_is_ignored(self):
        resp = self.get('compute 2.90')
        self.assertEqual(200, resp.status_code)
        self.assertEqual('marketplace 1.0', resp.headers[HEADER])

    def test_malformed_is_400(self):
        for requested in ('marketplace 1.x', 'marketplace one',
                          'marketplace 1.0.0'):
            error = self.assertError(self.get(requested), 400)
            self.assertEqual('flocx.invalid_version', error['code'])

    def test_unsupported_is_406(self):
        for requested in ('marketplace 2.0', 'marketplace 1.4',
                          'marketplace 0.9'):
            error = self.assertError(self.get(requested), 406,
                                     'supports 1.0 to 1.3')
            self.assertEqual('flocx.unsupported_version', error['code'])

    def test_discovery_root_ignores_version_header(self):
        resp = self.org_a.get('/', headers={HEADER: 'marketplace 9.9'})
        self.assertEqual(200, resp.status_code)


class ErrorFormatTest(mbase.MarketTestCase):
    """Every layer answers errors in the API-SIG JSON format."""

    def assertApiSigError(self, resp, status):
        self.assertEqual(status, resp.status_code, resp.body)
        self.assertEqual('application/json', resp.content_type)
        [error] = json.loads(resp.body)['errors']
        self.assertEqual(status, error['status'])
        for key in ('code', 'title', 'detail', 'request_id'):
            self.assertTrue(error.get(key), key)
        self.assertEqual(resp.headers['x-openstack-request-id'],
                         error['request_id'])
        return error

    def test_unknown_path_is_json_404(self):
        self.assertApiSigError(self.org_a.get('/v1/nothing'), 404)
        self.assertApiSigError(self.org_a.get('/v2/offers'), 404)

    def test_wrong_method_is_json_405_with_allow(self):
        resp = self.org_a.request('PUT', '/v1/offers/whatever')
        self.assertApiSigError(resp, 405)
        self.assertIn('DELETE', resp.headers.get('Allow', ''))

    def test_delete_on_collection_is_405_not_500(self):
        for path in ('/v1/offers', '/v1/bids'):
            self.assertApiSigError(self.admin.delete(path), 405)

    def test_oversize_body_is_json_413(self):
        market = self.useFixture(mbase.MarketFixture(
            **{'oslo_middleware.max_request_body_size': 1024}))
        client = base.Client(market.app, 'service', 'service')
        body = mbase.offer_body(provider='p' * 200)
        body['properties'] = {f'k{i}': 'v' * 50 for i in range(30)}
        resp = client.post('/v1/offers', body)
        error = self.assertApiSigError(resp, 413)
        self.assertIn('too large', error['detail'])
        # A body just under the limit is judged on its content instead.
        self.assertEqual(400, client.post('/v1/offers', {'x': 1}).status_code)

    def test_chunked_oversize_body_is_json_413(self):
        market = self.useFixture(mbase.MarketFixture(
            **{'oslo_middleware.max_request_body_size': 1024}))
        req = base.webob.Request.blank('/v1/bids', method='POST')
        req.headers.update({'X-Project-Id': 'org-b', 'X-Roles': 'member',
                            'Content-Type': 'application/json',
                            'Transfer-Encoding': 'chunked'})
        req.body_file = base.io.BytesIO(b'{"a": "' + b'x' * 5000 + b'"}')
        req.content_length = None
        resp = req.get_response(market.app)
        self.assertApiSigError(resp, 413)

    def test_invalid_json_is_400(self):
        for raw in ('{', '{"quantity": 1,}', "{'a': 1}", 'null x', ''):
            resp = self.org_b.post('/v1/bids', raw=raw)
            self.assertApiSigError(resp, 400)

    def test_non_utf8_body_is_400(self):
        resp = self.org_b.post('/v1/bids', raw=b'{"a": "\xff\xfe"}')
        self.assertApiSigError(resp, 400)

    def test_deeply_nested_body_is_400(self):
        resp = self.org_b.post('/v1/bids', raw='[' * 20000 + ']' * 20000)
        self.assertApiSigError(resp, 400)

    def test_wrong_content_type_is_415(self):
        resp = self.org_b.post('/v1/bids', mbase.bid_body(),
                               headers={'Content-Type': 'text/plain'})
        self.assertApiSigError(resp, 415)
        resp = self.org_b.post(
            '/v1/bids', mbase.bid_body(),
            headers={'Content-Type': 'application/json; charset=UTF-8'})
        self.assertEqual(201, resp.status_code, resp.body)

    def test_policy_refusal_is_json_403(self):
        error = self.assertApiSigError(
            self.org_a.post('/v1/offers', mbase.offer_body()), 403)
        self.assertEqual('flocx.policy_not_authorized', error['code'])

    def test_unexpected_error_is_500_without_traceback(self):
        def boom(*args, **kwargs):
            raise RuntimeError('secret internals')
        self.useFixture(base.fixtures.MonkeyPatch(
            'flocx_market.db.api.Connection.list_offers', boom))
        error = self.assertApiSigError(self.org_a.get('/v1/offers'), 500)
        self.assertNotIn('secret', error['detail'])
        self.assertIn(error['request_id'], error['detail'])

    def test_healthcheck_is_public(self):
        resp = self.org_a.get('/healthcheck', headers={'X-Roles': ''})
        self.assertEqual(200, resp.status_code)

    def test_repeated_query_parameter_is_400_not_500(self):
        for query in ('limit=1&limit=2', 'marker=a&marker=b',
                      'project_id=a&project_id=b', 'status=open&status=x'):
            resp = self.org_a.get(f'/v1/offers?{query}')
            error = self.assertApiSigError(resp, 400)
            self.assertIn('more than once', error['detail'])

    def test_unknown_query_parameter_is_400(self):
        for path in ('/v1/offers', '/v1/bids', '/v1/contracts',
                     '/v1/events'):
            error = self.assertApiSigError(
                self.org_a.get(f'{path}?colour=red'), 400)
            self.assertIn('colour', error['detail'])
