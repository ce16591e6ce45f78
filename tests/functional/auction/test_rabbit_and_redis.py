"""The auction engine and the market over real RabbitMQ, led through Redis.

The same flows as tests/unit/auction_service, but every cast and call
crosses a real broker, and leadership is a real tooz lock in Redis.
"""

import contextlib
import time
import uuid

from flocx_auction.cmd import engine as engine_cmd
from flocx_common import rpc
from tests.functional import services
from tests.unit.auction_service import test_engine_service as unit


class RabbitRedisEngineTest(unit.EngineServiceTest):
    """The tests share a RabbitMQ vhost of their own; each test gets its own
    exchange and its own engines' state."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._vhost = contextlib.ExitStack()
        cls.rabbit = cls._vhost.enter_context(services.rabbit_vhost())

    @classmethod
    def tearDownClass(cls):
        cls._vhost.close()
        super().tearDownClass()

    def setUp(self):
        self.redis = services.require('redis')
        self.exchange = f'flocx-test-{uuid.uuid4().hex[:8]}'
        # Both the market's and the engines' configs come from
        # ConfFixture; point them at the broker before anything connects.
        self._patch_conf_fixture()
        super().setUp()

    def _patch_conf_fixture(self):
        from tests.unit import base
        original = base.ConfFixture._setUp
        exchange, rabbit = self.exchange, self.rabbit

        def _setUp(fixture):
            original(fixture)
            fixture.conf.set_override('transport_url', rabbit)
            fixture.conf.set_override('control_exchange', exchange)
        self.patch(base.ConfFixture, '_setUp', _setUp)

    def start_engine_conf(self, **overrides):
        # A short lock timeout: a leader that stops heart-beating loses the
        # lead after 3 s instead of tooz's default 30 s. The namespace keeps
        # this test's leader lock apart from any other stack's.
        return super().start_engine_conf(**{
            'auction.coordination_url':
                f'{self.redis}?timeout=3&namespace={self.exchange}',
            **overrides})

    def test_messages_cross_a_real_broker(self):
        transport = rpc.get_transport(self.market.conf)
        self.assertEqual('RabbitDriver', type(transport._driver).__name__)

    def test_killed_leader_is_replaced_when_its_lock_expires(self):
        second = engine_cmd.EngineService(self.auction_conf)
        second.start()
        self.addCleanup(second.stop)
        time.sleep(0.5)
        self.assertFalse(second.engine.leading)
        # The leader stops heart-beating without releasing its lock, as a
        # SIGKILLed process would.
        leader = self.engine_service.engine
        leader._coordinator.stop()
        leader._coordinator = None
        leader._stop.set()
        self.assertTrue(unit.wait_for(
            lambda: (second.engine._keep_or_take_lead() or
                     second.engine.leading), timeout=15))
