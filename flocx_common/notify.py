"""Versioned notifications: every state change of an offer, bid or contract.

Payloads follow the oslo.versionedobjects envelope that Nova and Ironic use,
so existing consumers (e.g. Searchlight-style listeners) can read them:
``{"flocx_object.name", "flocx_object.namespace", "flocx_object.version",
"flocx_object.data"}``. Event types are ``<object>.<action>``, e.g.
``bid.create``, ``contract.start``, ``contract.fail``.
"""

import copy
import logging

import oslo_messaging as messaging
from oslo_config import cfg
from oslo_log import log

from flocx_common import rpc

LOG = log.getLogger(__name__)

PAYLOAD_VERSION = '1.0'

notification_opts = [
    cfg.StrOpt('notification_level', default='info',
               choices=['debug', 'info', 'warning', 'error', 'critical',
                        'none'],
               help='Lowest level of notification to emit; "none" '
                    'switches notifications off.'),
]


# Drivers that write each notification into the service's own log (at the
# notification's level, INFO for most): they get the payload with its sealed
# fields removed. The bus drivers (messagingv2 etc.) carry the whole payload
# to the operator's consumers (billing needs the prices).
LOG_DRIVERS = ('log',)

# Fields that are, or reveal, a bid's price: a bid's own price, and a
# contract's renter price and cost (pay-as-bid's renter price is the bid)
# and what each owner receives (from it and the rule, the bid may follow).
SEALED_FIELDS = {'Bid': ('price',), 'Contract': ('price', 'cost')}
SEALED_NODE_FIELDS = ('price',)
SEALED = '<sealed>'


def register_opts(conf):
    conf.register_opts(notification_opts, group='notifications')


class WithholdPayloads(logging.Filter):
    """Keep notification payloads out of oslo.messaging's own error lines.

    When the bus is down, oslo.messaging logs "Could not send notification
    ... Payload=..." at ERROR with the whole payload, a bid's price included.
    The line stays (the outage matters); the payload is withheld.
    """

    KEYS = ('message', 'payload')

    def filter(self, record):
        if isinstance(record.args, dict) and any(
                k in record.args for k in self.KEYS):
            record.args = {k: ('<payload withheld>' if k in self.KEYS else v)
                           for k, v in record.args.items()}
        return True


# The loggers of oslo.messaging's notifier and messaging driver (a filter on
# a logger applies to the records made through that logger).
PAYLOAD_LOGGERS = ('oslo_messaging.notify.messaging',
                   'oslo_messaging.notify.notifier')


def withhold_payloads():
    for name in PAYLOAD_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, WithholdPayloads) for f in logger.filters):
            logger.addFilter(WithholdPayloads())


def sealed_data(object_name, data):
    """``data`` without the fields that reveal a bid's price."""
    fields = SEALED_FIELDS.get(object_name)
    if not fields or not isinstance(data, dict):
        return data
    data = copy.deepcopy(data)
    for field in fields:
        if field in data:
            data[field] = SEALED
    for node in data.get('nodes') or ():
        if isinstance(node, dict):
            for field in SEALED_NODE_FIELDS:
                if field in node:
                    node[field] = SEALED
    return data


class Notifier:
    def __init__(self, conf, publisher):
        self.level = conf.notifications.notification_level
        withhold_payloads()
        transport = rpc.get_notification_transport(conf)
        publisher_id = f'{publisher}.{conf.host}'
        # One oslo.messaging notifier per driver (it takes one name), so
        # that the log drivers can be handed the sealed payload.
        self._notifiers = [
            (messaging.Notifier(
                transport, publisher_id=publisher_id, driver=driver,
                serializer=rpc.ContextSerializer(),
                topics=['versioned_notifications']),
             driver in LOG_DRIVERS)
            for driver in conf.oslo_messaging_notifications.driver]

    def emit(self, ctxt, object_name, action, data, level='info'):
        if self.level == 'none':
            return
        levels = ['debug', 'info', 'warning', 'error', 'critical']
        if levels.index(level) < levels.index(self.level):
            return
        event_type = f'{object_name.lower()}.{action}'
        for notifier, sealed in self._notifiers:
            shown = sealed_data(object_name, data) if sealed else data
            payload = {'flocx_object.name': object_name + 'Payload',
                       'flocx_object.namespace': 'flocx',
                       'flocx_object.version': PAYLOAD_VERSION,
                       'flocx_object.data': shown}
            try:
                getattr(notifier, level)(ctxt, event_type, payload)
            except Exception:
                # A broken notification bus must not fail the request that
                # changed state; the events table still has the record.
                LOG.exception('Could not emit %s notification', event_type)
