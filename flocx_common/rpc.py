"""oslo.messaging plumbing shared by the three services.

Contexts cross RPC as dicts and come back as RequestContext objects with
the receiving service's policy enforcer attached.
"""

import decimal
import threading
import time

from oslo_log import log
import oslo_messaging as messaging
from oslo_messaging.rpc import dispatcher
from oslo_serialization import jsonutils

from flocx_common.api import errors
from flocx_common import context

# The in-process transport: the embedded local cloud runs every service in
# one process and names it explicitly (``transport_url = fake://``).
IN_PROCESS_URL = 'fake:/'

MARKET_TOPIC = 'flocx-market'
AUCTION_TOPIC = 'flocx-auction'
AUCTION_LEADER_TOPIC = 'flocx-auction-leader'
PROVIDER_TOPIC = 'flocx-provider'
DEFAULT_EXCHANGE = 'flocx'

_transports = {}
# How long a stopping RPC server may take before it is woken (RPCServer).
_STOP_WAKE_AFTER = 0.05

LOG = log.getLogger(__name__)


class NoTransport(RuntimeError):
    """The service has no [DEFAULT] transport_url."""


def transport_url(conf):
    """The configured transport URL, normalised; NoTransport without one.

    There is no default: a service started on its own with no broker would
    otherwise talk to an in-process transport nobody else listens on, and
    nothing it sends would reach the other services. ``fake:/`` and
    ``fake://`` are one and the same in-process transport.
    """
    url = conf.transport_url
    if not url:
        raise NoTransport(
            'no [DEFAULT] transport_url is set: name the message broker the '
            'FLOCX services share, e.g. rabbit://user:password@host:5672/ '
            '(fake:// only for every service in one process)')
    return str(messaging.TransportURL.parse(conf, url))


def get_transport(conf):
    """One RPC transport per URL per process (the fake one must be shared)."""
    url = transport_url(conf)
    if url not in _transports:
        # Errors the API understands cross RPC as themselves.
        _transports[url] = messaging.get_rpc_transport(
            conf, url=url, allowed_remote_exmods=[errors.__name__])
    return _transports[url]


def get_notification_transport(conf):
    url = transport_url(conf)
    key = ('notify', url)
    if key not in _transports:
        _transports[key] = messaging.get_notification_transport(conf, url=url)
    return _transports[key]


class ContextSerializer(messaging.Serializer):
    def __init__(self, enforcer=None):
        self.enforcer = enforcer

    def serialize_entity(self, ctxt, entity):
        return _primitive(entity)

    def deserialize_entity(self, ctxt, entity):
        return entity

    def serialize_context(self, ctxt):
        # to_dict() carries request_id and global_request_id: the receiving
        # service's log lines name the request that caused them.
        return ctxt.to_dict()

    def deserialize_context(self, ctxt):
        ctx = context.RequestContext.from_dict(ctxt, enforcer=self.enforcer)
        # oslo.log finds the context of the current thread through
        # oslo.context's thread-local store: the RPC server's worker thread
        # now logs under the caller's request id.
        ctx.update_store()
        return ctx


def _primitive(value):
    """oslo.serialization's to_primitive, but a Decimal (a price) is a float:
    the bus's JSON has no decimal type, and to_primitive would make it a
    string (flocx_common/money.py says why a float keeps its digits). The
    JSON types, nearly all of a payload, are walked here, in one pass; the
    rest (datetimes, objects) goes to to_primitive."""
    if value is None or isinstance(value, (str, int, float)):
        return value
    if isinstance(value, dict):
        return {key: _primitive(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_primitive(item) for item in value]
    if isinstance(value, decimal.Decimal):
        return float(value)
    return jsonutils.to_primitive(value, convert_instances=True)


def scoped_topic(conf, topic):
    """The topic, scoped by a control exchange other than the default.

    Casts and calls go through the control exchange, but RabbitMQ fanout
    exchanges are named after the topic alone ("flocx-auction_fanout"):
    two FLOCX deployments on one broker with their own control_exchange
    (local clouds, test runs) would otherwise take each other's order casts
    into their engines' books. The default exchange keeps the plain names.
    """
    exchange = getattr(conf, 'control_exchange', None)
    if not exchange or exchange == DEFAULT_EXCHANGE:
        return topic
    return f'{topic}.{exchange}'


def get_client(conf, topic, version, server=None, timeout=None):
    target = messaging.Target(topic=scoped_topic(conf, topic),
                              version=version, server=server)
    return messaging.get_rpc_client(get_transport(conf), target,
                                    serializer=ContextSerializer(),
                                    timeout=timeout)


# The broker refuses at once a message no queue takes (AMQP's mandatory
# flag) instead of dropping it.
_MANDATORY = messaging.TransportOptions(at_least_once=True)
_RESEND_AFTER = 0.5


def call_when_served(client, ctx, method, timeout, **kwargs):
    """``client.call(ctx, method, **kwargs)``, sent again until served.

    RabbitMQ drops a call to a topic no server has declared a queue for
    yet (a service starting before the one it calls), and the caller then
    waited out its whole timeout. Sent with the mandatory flag, such a call
    is refused at once and sent again every half second until ``timeout``
    (MessagingTimeout). Only for calls that are safe to repeat; with the
    in-process transport the flag means nothing.
    """
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        try:
            return client.prepare(
                timeout=max(remaining, 0.1),
                transport_options=_MANDATORY).call(ctx, method, **kwargs)
        except messaging.MessageUndeliverable:
            if time.monotonic() + _RESEND_AFTER >= deadline:
                raise messaging.MessagingTimeout(
                    f'No server took {method!r} within {timeout} s.')
            time.sleep(_RESEND_AFTER)


class _WakeEndpoint:
    """A method that does nothing, in a namespace of its own.

    A message to it is what ends a stopping server's wait (RPCServer).
    """

    target = messaging.Target(namespace='flocx-wake', version='1.0')

    def wake(self, ctxt):
        pass


class RPCServer:
    """An oslo.messaging RPC server that stops without waiting out a poll.

    On RabbitMQ, oslo.messaging's listener stops only when its consumer
    thread returns from the broker connection's drain_events, which waits
    up to heartbeat_timeout_threshold / heartbeat_rate / 2 (10 s by
    default; AMQPListener.poll caps it at 5 s) for a frame: an idle engine,
    with two servers, took up to 10 s to stop. stop() sends the server a
    no-op cast of its own (to its server-specific queue) so that the wait
    ends at once; in-flight requests still finish in wait(), which takes up
    to a second more (futurist's idle workers notice the shutdown once a
    second).
    """

    def __init__(self, transport, target, endpoints, serializer):
        self.target = target
        self._transport = transport
        self._server = messaging.get_rpc_server(
            transport, target, [*endpoints, _WakeEndpoint()],
            executor='threading', serializer=serializer,
            access_policy=dispatcher.DefaultRPCAccessPolicy)

    def start(self):
        self._server.start()

    def stop(self):
        stopping = threading.Thread(target=self._server.stop, daemon=True,
                                    name=f'stop-{self.target.topic}')
        stopping.start()
        stopping.join(_STOP_WAKE_AFTER)
        # Again while it runs: a wake that arrives before the listener is
        # flagged as stopping is consumed as an ordinary message.
        while stopping.is_alive():
            self._wake()
            stopping.join(_STOP_WAKE_AFTER)

    def wait(self):
        self._server.wait()

    def _wake(self):
        target = messaging.Target(topic=self.target.topic,
                                  server=self.target.server,
                                  namespace='flocx-wake', version='1.0')
        try:
            messaging.get_rpc_client(self._transport, target,
                                     retry=0).cast({}, 'wake')
        except Exception as e:  # the broker is gone: the poll times out
            LOG.debug('Could not wake %s to stop it: %s', target, e)


def get_server(conf, topic, endpoints, enforcer=None, server=None):
    """A threading RPC server; start() and stop()/wait() it."""
    target = messaging.Target(topic=scoped_topic(conf, topic),
                              server=server or conf.host)
    return RPCServer(get_transport(conf), target, endpoints,
                     ContextSerializer(enforcer))


def reset():
    """Forget cached transports (tests and the local cloud's shutdown)."""
    for transport in _transports.values():
        transport.cleanup()
    _transports.clear()
