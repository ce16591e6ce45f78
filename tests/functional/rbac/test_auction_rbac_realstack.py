"""The auction's RBAC matrix against real Keystone tokens.

tests/unit/auction_service/rbac.yaml, every endpoint x every persona, run
through the auction app (in process) with keystonemiddleware validating
real tokens with the local cloud's Keystone, the auction engine and the
market's manager on the fake RPC transport, and one cleared round of the
real org-a's offer and org-b's bids. No 200 answer to a persona without
system scope may show a bid's uuid, price or bidder. The system admin's
``POST /v1/rounds`` clears the market for real; a project's admin gets 403.
"""

import fixtures
from oslo_messaging import conffixture
import pytest

from flocx_auction import conf as auction_conf
from flocx_common import rpc
from tests.functional.rbac import base
from tests.unit.auction_service import test_rbac as auction_rbac
from tests.unit import rbac

MATRIX = auction_rbac.MATRIX


class RealKeystoneAuction(base.RealTokens, auction_rbac.KeystoneAuction):

    def __init__(self, realstack, passwords, tmp_path):
        self._fixtures = fixtures.Fixture()
        self._fixtures.setUp()
        self.owner_project = realstack.project_id('org-a')
        self.renter_project = realstack.project_id('org-b')
        conf_file = tmp_path / 'auction.conf'
        base.write_conf(conf_file, realstack, {'auction': {
            'state_path': str(tmp_path / 'state'), 'round_interval': '3600',
            'publish_price_min_contracts': '1'}})
        conf = auction_conf.get_conf(['--config-file', str(conf_file)])
        messaging = self._fixtures.useFixture(conffixture.ConfFixture(conf))
        messaging.transport_url = 'fake:/'
        self._fixtures.addCleanup(rpc.reset)
        self.start(conf)
        self.get_tokens(realstack, passwords)
        self.objects = self.make_round()


@pytest.fixture(scope='module')
def real_auction(realstack, rbac_personas, tmp_path_factory):
    auction = RealKeystoneAuction(realstack, rbac_personas,
                                  tmp_path_factory.mktemp('rbac-auction'))
    yield auction
    auction.cleanup()


@pytest.mark.parametrize('name,persona', [
    (name, persona) for name in sorted(MATRIX) for persona in rbac.PERSONAS])
def test_rbac_real_tokens(real_auction, name, persona):
    auction_rbac.run_cell(real_auction, name, persona)


@pytest.mark.parametrize('persona', ['owner_admin', 'owner_member',
                                     'renter_member', 'other_admin',
                                     'other_member', 'service'])
def test_bids_sealed_everywhere(real_auction, persona):
    auction_rbac.check_sealed_everywhere(real_auction, persona)
