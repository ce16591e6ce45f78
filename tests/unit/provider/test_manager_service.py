"""The manager service in real time: RPC nudges and timing precision."""

import datetime
import time
import uuid

from oslo_utils import timeutils

from flocx_common import context
from flocx_provider.cmd import manager as manager_cmd
from tests.unit.provider import base

# Starts and ends are honoured by waking at them, not at the next poll:
# with poll_interval 5 s (the default) they are met within this.
PRECISION = 1.0


class ManagerServiceTest(base.ProviderTestCase):
    def wait_for(self, predicate, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.02)
        self.fail('timed out')

    def test_start_and_end_are_honoured_within_a_second(self):
        service = manager_cmd.ManagerService(self.fx.conf, self.fx.services)
        service.start()
        self.addCleanup(service.stop)
        offer = self.offer(start=base.from_now(seconds=1)).json
        start = timeutils.utcnow() + datetime.timedelta(seconds=1.5)
        end = start + datetime.timedelta(seconds=2)
        bid = self.market_db.create_bid({
            'project_id': 'org-b', 'quantity': 1, 'resource_class': None,
            'constraints': [], 'start_time': start,
            'latest_start_time': start, 'duration': 2, 'price': 2.0,
            'decide_by': None})
        market = self.fx.market.services
        # Through Market.commit_awards, which casts contract_changed to
        # this provider: the manager learns of the contract at once.
        contract, = market.market.commit_awards(
            context.get_admin_context(market.enforcer), 'r1', [{
                'uuid': str(uuid.uuid4()), 'bid_uuid': bid['uuid'],
                'start_time': start, 'end_time': end, 'price': 2.0,
                'nodes': [{'offer_uuid': offer['market_offer_uuid'],
                           'price': 2.0}]}])['accepted']

        def record():
            records = self.fx.db.fulfilments_of(
                contract_uuid=contract['uuid'])
            return records[0] if records else None

        self.wait_for(lambda: record() is not None, 1.0)
        self.wait_for(lambda: record()['state'] == 'lent', 5)
        self.wait_for(lambda: record()['state'] == 'reclaimed', 5)
        late_start = (record()['lent_at'] - start).total_seconds()
        late_end = (record()['reclaimed_at'] - end).total_seconds()
        self.assertTrue(0 <= late_start < PRECISION, late_start)
        self.assertTrue(0 <= late_end < PRECISION, late_end)
        self.wait_for(lambda: self.market_db.get_contract(
            contract['uuid'])['status'] == 'completed', 2)
