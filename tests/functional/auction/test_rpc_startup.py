"""A call to a service that is not consuming yet, over real RabbitMQ.

RabbitMQ drops a message no queue takes: a service that called another
before that one had declared its queue used to wait out its whole timeout
(the auction engine's first order book, 15 s, held up the first round of a
freshly started cloud). rpc.call_when_served is answered as soon as the
server is up.
"""

import threading
import time
import uuid

from oslo_config import cfg
import oslo_messaging as messaging
import pytest

from flocx_common import conf as common_conf
from flocx_common import context
from flocx_common import rpc
from tests.functional import services


class Echo:
    target = messaging.Target(version='1.0')

    def echo(self, ctx, value):
        return value


@pytest.fixture
def conf():
    with services.rabbit_vhost() as url:
        conf = cfg.ConfigOpts()
        common_conf.register_common_opts(conf, 9999)
        conf([], project='flocx')
        conf.set_override('transport_url', url)
        conf.set_override('control_exchange',
                          f'flocx-test-{uuid.uuid4().hex[:8]}')
        yield conf
        rpc.reset()


def test_call_waits_for_a_server_that_starts_later(conf):
    topic = f'startup-{uuid.uuid4().hex[:8]}'
    client = rpc.get_client(conf, topic, '1.0')
    server = rpc.get_server(conf, topic, [Echo()], server='late')
    starter = threading.Timer(2.0, server.start)
    starter.start()
    try:
        began = time.monotonic()
        assert rpc.call_when_served(client, context.get_admin_context(), 'echo', 30,
                                    value='hi') == 'hi'
        waited = time.monotonic() - began
    finally:
        starter.join()
        server.stop()
        server.wait()
    # Answered once the server came up (2 s), not at the 30 s timeout.
    assert 2.0 <= waited < 10, waited


def test_call_nobody_serves_times_out_on_time(conf):
    client = rpc.get_client(conf, f'nobody-{uuid.uuid4().hex[:8]}', '1.0')
    began = time.monotonic()
    with pytest.raises(messaging.MessagingTimeout):
        rpc.call_when_served(client, context.get_admin_context(), 'echo', 3, value='hi')
    assert time.monotonic() - began < 6
