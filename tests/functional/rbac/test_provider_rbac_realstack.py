"""Issue 11's holes on the provider API, with real Keystone tokens and a
real Ironic node: another organization's project admin can neither offer
nor withdraw org-a's node; the system admin cannot offer it either (no
project owns a system token) but may withdraw org-a's offer, recorded as
"cancelled by an admin" here and closed on the market.

The provider (API app and manager) and the market run in process as in
tests/functional/provider/test_provider_realstack.py, whose fixture this
module uses.
"""

import datetime

from oslo_utils import timeutils

from tests.functional.provider.test_provider_realstack import call
from tests.functional.provider.test_provider_realstack import iso
from tests.functional.rbac import base


def test_project_admin_is_admin_of_its_own_organization_only(
        realstack, rbac_personas, make_nodes, flocx):
    node_id, = make_nodes('org-a')
    tokens = base.RealTokens()
    tokens.get_tokens(realstack, rbac_personas)
    app, market_db = flocx['app'], flocx['market'].db
    now = timeutils.utcnow()
    body = {'node': node_id, 'start_time': iso(now),
            'end_time': iso(now + datetime.timedelta(hours=2)), 'price': 2}

    def as_(persona, method, path, body=None):
        return call(app, tokens.tokens[persona], method, path, body)

    # org-c's admin does not see org-a's node through the provider.
    status, error = as_('other_admin', 'POST', '/v1/offers', body)
    assert status == 404, error
    # A system-scoped token owns no node: the provider has no project to
    # offer it for.
    status, error = as_('system_admin', 'POST', '/v1/offers', body)
    assert status == 403, error
    # org-a's own admin offers it.
    status, offer = as_('owner_admin', 'POST', '/v1/offers', body)
    assert status == 201, offer
    # org-c's admin can neither see nor withdraw it.
    assert as_('other_admin', 'GET', f"/v1/offers/{offer['uuid']}")[0] == 404
    listed = as_('other_admin', 'GET', '/v1/offers')[1]['offers']
    assert offer['uuid'] not in [o['uuid'] for o in listed]
    status, error = as_('other_admin', 'DELETE', f"/v1/offers/{offer['uuid']}")
    assert status == 404, error
    assert market_db.get_offer(offer['market_offer_uuid'])['status'] == 'open'
    # The system reader sees it and cannot withdraw it; the system admin
    # withdraws it, as an admin.
    assert as_('system_reader', 'GET', f"/v1/offers/{offer['uuid']}")[0] == 200
    status, error = as_('system_reader', 'DELETE',
                        f"/v1/offers/{offer['uuid']}")
    assert status == 403, error
    status, cancelled = as_('system_admin', 'DELETE',
                            f"/v1/offers/{offer['uuid']}")
    assert status == 200, cancelled
    assert cancelled['status_reason'] == 'cancelled by an admin'
    assert market_db.get_offer(
        offer['market_offer_uuid'])['status'] == 'cancelled'
