"""RPC topics are scoped by a non-default control exchange.

RabbitMQ's fanout exchanges are named after the topic alone, so two FLOCX
deployments sharing a broker with their own control_exchange must not use
the same topic names, or their engines take each other's order casts.
"""

from flocx_common import rpc
from flocx_market import conf as market_conf


def test_default_exchange_keeps_the_plain_topics():
    conf = market_conf.get_conf([])
    assert conf.control_exchange == rpc.DEFAULT_EXCHANGE
    assert rpc.scoped_topic(conf, rpc.AUCTION_TOPIC) == 'flocx-auction'


def test_own_exchange_scopes_every_topic():
    conf = market_conf.get_conf([])
    conf.set_override('control_exchange', 'flocx-local-a')
    conf.set_override('transport_url', rpc.IN_PROCESS_URL)
    other = market_conf.get_conf([])
    other.set_override('control_exchange', 'flocx-local-b')
    other.set_override('transport_url', rpc.IN_PROCESS_URL)
    assert rpc.scoped_topic(conf, rpc.AUCTION_TOPIC) == \
        'flocx-auction.flocx-local-a'
    assert rpc.get_client(conf, rpc.AUCTION_TOPIC, '1.0').target.topic != \
        rpc.get_client(other, rpc.AUCTION_TOPIC, '1.0').target.topic
    rpc.reset()
