"""The provider's state changes behind its API: offers and leases.

Each check asks Ironic as the provider's identity scoped to the caller's
project (see clouds.py), so what a caller may offer or lend is exactly what
its project owns in Ironic.
"""

import dataclasses
import datetime

import oslo_messaging as messaging
from oslo_log import log
from oslo_utils import timeutils

from flocx_common.api import errors
from flocx_common import policy as common_policy
from flocx_market import rpcapi as market_rpcapi
from flocx_provider import clouds as clouds_module
from flocx_provider.conf import provider as provider_conf
from flocx_provider.db import api as db_api
from flocx_provider import ironic
from flocx_provider import market_client
from flocx_provider import policies
from flocx_provider import remote_access
from flocx_provider import rpcapi as provider_rpcapi

LOG = log.getLogger(__name__)


@dataclasses.dataclass
class Services:
    """What the handlers and the manager use, built once per process."""
    conf: object
    enforcer: object
    db: db_api.Connection
    provider: 'Provider'


def build_services(conf, db=None, ironic_layer=None, clouds=None,
                   market=None, remote=None):
    """``ironic_layer`` is the flocx_provider.ironic module unless a test
    passes a fake with the same functions."""
    db = db or db_api.Connection.from_conf(conf)
    enforcer = common_policy.make_enforcer(conf, policies.list_rules())
    provider = Provider(
        conf, db, market or market_channel(conf),
        clouds or clouds_module.Clouds(conf), ironic_layer or ironic,
        provider_rpcapi.ProviderAPI(conf),
        remote or remote_access.RemoteAccess(conf))
    return Services(conf=conf, enforcer=enforcer, db=db, provider=provider)


def market_channel(conf):
    """How this provider reaches the market (conf/market.py)."""
    name, timeout = (provider_conf.provider_name(conf),
                     conf.provider.market_timeout)
    if conf.market.channel == 'rest':
        return market_client.MarketREST(conf, timeout=timeout, provider=name)
    return market_rpcapi.MarketAPI(conf, timeout=timeout, provider=name)


class Provider:
    def __init__(self, conf, db, market, clouds, ironic_layer, nudger,
                 remote=None):
        self.conf = conf
        self.name = provider_conf.provider_name(conf)
        self.db = db
        self.market = market
        self.clouds = clouds
        self.ironic = ironic_layer
        self.nudger = nudger
        # Identities here for renters of other clouds (remote_access.py).
        self.remote_access = remote or remote_access.RemoteAccess(conf)

    # Ironic, as the caller's project

    def connection(self, project_id):
        try:
            return self.clouds.connection(project_id)
        except clouds_module.NotGranted as e:
            raise errors.Forbidden(
                f'This provider may not act on project {project_id}\'s '
                'nodes: the project\'s operator must grant the provider\'s '
                f'user the service role on it. ({e})',
                code='flocx.provider_not_granted')
        except clouds_module.Unreachable as e:
            raise errors.ServiceUnavailable(str(e))

    def owned_node(self, project_id, node_ident):
        """(connection, node) if the project owns the node in Ironic."""
        conn = self.connection(project_id)
        try:
            return conn, self.ironic.get_owned_node(conn, node_ident,
                                                    project_id)
        except ironic.NodeNotFound:
            raise errors.NotFound(f'Node {node_ident} not found.',
                                  code='flocx.node_not_found')
        except ironic.NotOwner:
            raise errors.Forbidden(
                f'Node {node_ident} is not owned by project {project_id}; '
                'only its owner may offer or lend it.',
                code='flocx.node_not_owned')
        except ironic.IronicError as e:
            raise errors.ServiceUnavailable(f'Ironic: {e.reason}')

    def check_offerable(self, node):
        """409 unless the node is free to be promised for a future time."""
        if self.db.node_lent_by_us(node.id):
            # Lent right now through this provider: it will come back at
            # the end of that lending, so only maintenance is a reason
            # not to promise it for later.
            if node.is_maintenance:
                raise errors.Conflict(
                    f'Node {node.id} is in maintenance.',
                    code='flocx.node_not_offerable')
            return
        try:
            self.ironic.check_offerable(node)
        except ironic.NotOfferable as e:
            raise errors.Conflict(e.reason, code='flocx.node_not_offerable')

    def list_nodes(self, project_id):
        """The project's own Ironic nodes, as an owner choosing what to
        offer sees them: hardware (what an offer of each would carry) and
        whether it can be offered now, or why not."""
        conn = self.connection(project_id)
        try:
            nodes = self.ironic.list_owned_nodes(conn, project_id)
        except ironic.IronicError as e:
            raise errors.ServiceUnavailable(f'Ironic: {e.reason}')
        result = []
        for node in nodes:
            try:
                self.check_offerable(node)
                problem = None
            except errors.Conflict as e:
                problem = e.detail
            result.append(dict(
                _offered_hardware(self.ironic.hardware_config(node)),
                uuid=node.id, name=node.name,
                provision_state=node.provision_state,
                maintenance=bool(node.is_maintenance),
                offerable=problem is None, not_offerable_reason=problem))
        return sorted(result, key=lambda n: (n['name'] or '', n['uuid']))

    # Offers

    def create_offer(self, ctx, project_id, node_ident, start, end, price):
        _, node = self.owned_node(project_id, node_ident)
        self.check_offerable(node)
        hardware = _offered_hardware(self.ironic.hardware_config(node))
        properties = hardware['properties']
        offer = self.db.create_offer({
            'project_id': project_id, 'node_uuid': node.id,
            'resource_class': hardware['resource_class'],
            'properties': properties, 'start_time': start,
            'end_time': end, 'price': price})
        try:
            # The market keeps this offer's uuid: one identity for the
            # owner, whichever API it asks.
            published = self.market.publish_offer(ctx, {
                'uuid': offer['uuid'],
                'project_id': project_id, 'provider': self.name,
                'resource_type': 'ironic_node', 'resource_uuid': node.id,
                'resource_class': offer['resource_class'],
                'properties': properties,
                'start_time': offer['start_time'],
                'end_time': offer['end_time'], 'price': price})
        except Exception as e:  # noqa: BLE001 -- re-raised
            # Not on the market: not on offer here either.
            self.db.delete_offer(offer['uuid'])
            raise _market_error(e)
        return self.db.update_offer(offer['uuid'],
                                    market_offer_uuid=published['uuid'])

    def cancel_offer(self, ctx, offer, reason='cancelled by its owner'):
        if offer['status'] != 'open':
            raise errors.Conflict(f'Offer {offer["uuid"]} is '
                                  f'{offer["status"]}.',
                                  code='flocx.offer_not_open')
        if offer['market_offer_uuid']:
            try:
                self.market.cancel_offer(ctx, offer['market_offer_uuid'])
            except errors.Conflict as e:
                if e.code != 'flocx.offer_not_open':
                    raise  # booked: it stays on offer here too
                # Already closed on the market (expired, or by an admin).
            except Exception as e:  # noqa: BLE001 -- re-raised
                raise _market_error(e)
        return self.db.update_offer(offer['uuid'], status='cancelled',
                                    status_reason=reason)

    # Leases

    def create_lease(self, ctx, project_id, node_ident, lessee, start, end):
        if lessee == project_id:
            raise errors.BadRequest('A project cannot lend a node to '
                                    'itself.', pointer='/project_id')
        try:
            child = self.clouds.is_child_project(project_id, lessee)
        except clouds_module.NotGranted as e:
            raise errors.Forbidden(str(e), code='flocx.provider_not_granted')
        except clouds_module.Unreachable as e:
            raise errors.ServiceUnavailable(str(e))
        if not child:
            raise errors.Forbidden(
                f'Project {lessee} is not a child project of {project_id} '
                'in Keystone: nodes are lent only inside an organization. '
                'Offer it on the market instead.',
                code='flocx.not_a_child_project')
        _, node = self.owned_node(project_id, node_ident)
        self.check_offerable(node)
        lease = self.db.create_lease({
            'project_id': project_id, 'lessee_project_id': lessee,
            'node_uuid': node.id, 'start_time': start, 'end_time': end})
        if start <= timeutils.utcnow() + datetime.timedelta(seconds=1):
            self.nudge(ctx)
        return lease

    def cancel_lease(self, ctx, lease, reason='cancelled by its owner'):
        cancelled = self.db.set_lease_status(
            lease['uuid'], 'cancelled', reason,
            only_from=db_api.LIVE_LEASE)
        if cancelled is None:
            now = self.db.get_lease(lease['uuid'])['status']
            raise errors.Conflict(f'Lease {lease["uuid"]} is {now}.',
                                  code='flocx.lease_not_live')
        if lease['status'] == 'active':
            self.nudge(ctx)  # reclaim the node now, not at the next poll
        return cancelled

    def nudge(self, ctx):
        """Wake this provider's manager (a lost cast costs one poll)."""
        try:
            self.nudger.contract_changed(ctx, self.name, {})
        except Exception:
            LOG.warning('Could not nudge the provider manager',
                        exc_info=True)


def _offered_hardware(hardware):
    """An Ironic node's hardware as its offer carries it: the market refuses
    unknown (None) values; traits go with the properties, where bids'
    "has" constraints look for them."""
    properties = {k: v for k, v in hardware['properties'].items()
                  if v is not None}
    properties['traits'] = list(hardware['traits'])
    return {'resource_class': hardware['resource_class'] or 'baremetal',
            'properties': properties}


def _market_error(e):
    if isinstance(e, errors.APIError):
        return e
    if isinstance(e, messaging.MessagingTimeout):
        return errors.ServiceUnavailable('The market did not answer in '
                                         'time; try again.')
    if isinstance(e, messaging.MessagingException):
        return errors.ServiceUnavailable(f'The market is unreachable: {e}')
    return e
