"""Versioned notifications: every state change of an offer, bid or contract.

Payloads follow the oslo.versionedobjects envelope that Nova and Ironic use,
so existing consumers (e.g. Searchlight-style listeners) can read them:
``{"flocx_object.name", "flocx_object.namespace", "flocx_object.version",
"flocx_object.data"}``. Event types are ``<object>.<action>``, e.g.
``bid.create``, ``contract.start``, ``contract.fail``.
"""

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


def register_opts(conf):
    conf.register_opts(notification_opts, group='notifications')


class Notifier:
    def __init__(self, conf, publisher):
        self.level = conf.notifications.notification_level
        self._notifier = messaging.Notifier(
            rpc.get_notification_transport(conf),
            publisher_id=f'{publisher}.{conf.host}',
            serializer=rpc.ContextSerializer(),
            topics=['versioned_notifications'])

    def emit(self, ctxt, object_name, action, data, level='info'):
        if self.level == 'none':
            return
        levels = ['debug', 'info', 'warning', 'error', 'critical']
        if levels.index(level) < levels.index(self.level):
            return
        payload = {'flocx_object.name': object_name + 'Payload',
                   'flocx_object.namespace': 'flocx',
                   'flocx_object.version': PAYLOAD_VERSION,
                   'flocx_object.data': data}
        event_type = f'{object_name.lower()}.{action}'
        try:
            getattr(self._notifier, level)(ctxt, event_type, payload)
        except Exception:
            # A broken notification bus must not fail the request that
            # changed state; the events table still has the record.
            LOG.exception('Could not emit %s notification', event_type)
