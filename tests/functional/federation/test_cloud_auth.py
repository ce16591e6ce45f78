"""Tokens of two real Keystones on one market.

Cloud A (``realstack``) is the market's home; cloud B (``second_cloud``) is a
member cloud whose Keystone validates its own tokens through the market's
validation-only service user there. Each token reaches only the Keystone that
issued it, and a cloud's system admin is not the market's.
"""

import requests

from tests.unit import base as ubase

CLOUD_HEADER = 'OpenStack-Market-Cloud'


def _token(cloud, name):
    return cloud.connect(name).session.get_token()


def _client(app, token, cloud=None):
    client = ubase.Client(app)
    client.headers = {'X-Auth-Token': token}
    if cloud:
        client.headers[CLOUD_HEADER] = cloud
    return client


def test_each_token_is_checked_by_the_keystone_that_issued_it(
        market, realstack, second_cloud):
    b_member = _token(second_cloud, 'flocx-org-b-member')
    a_member = _token(realstack, 'flocx-org-b-member')
    # Cloud B's token, named as cloud B's: validated by Keystone B.
    assert _client(market.app, b_member, 'cloud-b').get(
        '/v1/offers').status_code == 200
    # The same token as the home cloud's: Keystone A does not know it.
    assert _client(market.app, b_member).get('/v1/offers').status_code == 401
    assert _client(market.app, b_member, 'cloud-a').get(
        '/v1/offers').status_code == 401
    # And a home token presented as cloud B's is refused by Keystone B.
    assert _client(market.app, a_member, 'cloud-b').get(
        '/v1/offers').status_code == 401
    assert _client(market.app, a_member).get('/v1/offers').status_code == 200
    resp = _client(market.app, a_member, 'cloud-z').get('/v1/offers')
    assert resp.status_code == 401
    assert resp.json['errors'][0]['code'] == 'flocx.unknown_cloud'


def test_a_member_clouds_admin_administers_only_its_own_projects(
        market, realstack, second_cloud):
    market_admin = _client(market.app, _token(realstack, 'flocx-admin'))
    b_admin = _client(market.app, _token(second_cloud, 'flocx-admin'),
                      'cloud-b')
    for name, url in (('cloud-a', realstack.auth_url),
                      ('cloud-b', second_cloud.auth_url)):
        resp = market_admin.post('/v1/clouds', {'name': name,
                                                'keystone_url': url})
        assert resp.status_code == 201, resp.body
    # Cloud B's system admin cannot act for the market...
    assert b_admin.post('/v1/organizations',
                        {'name': 'acme'}).status_code == 403
    org = market_admin.post('/v1/organizations', {'name': 'acme'}).json
    path = f'/v1/organizations/{org["uuid"]}/projects'
    b_project = second_cloud.project_id('org-b')
    # ...nor put cloud A's projects in an organization; its own it can.
    assert b_admin.post(path, {'cloud': 'cloud-a',
                               'project_id': b_project}).status_code == 403
    resp = b_admin.post(path, {'cloud': 'cloud-b', 'project_id': b_project})
    assert resp.status_code == 201, resp.body
    # Cloud B's member sees its organization; cloud A's project with the
    # very same id (one snapshot) is not in it.
    b_member = _client(market.app, _token(second_cloud, 'flocx-org-b-member'),
                       'cloud-b')
    assert [o['name'] for o in b_member.get(
        '/v1/organizations').json['organizations']] == ['acme']
    a_member = _client(market.app, _token(realstack, 'flocx-org-b-member'))
    assert a_member.get('/v1/organizations').json['organizations'] == []
    assert realstack.project_id('org-b') == b_project


def test_keystone_b_is_a_separate_keystone(realstack, second_cloud):
    """What the tests above rest on: B's Keystone refuses A's tokens."""
    token = _token(realstack, 'flocx-org-a-member')
    resp = requests.get(f'{second_cloud.auth_url}/auth/tokens',
                        headers={'X-Auth-Token': token,
                                 'X-Subject-Token': token}, timeout=30)
    assert resp.status_code == 401
