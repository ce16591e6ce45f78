"""The market's state changes, each with its events, notifications and casts.

The API handlers and the RPC manager both change state through ``Market`` so
that every change is told to the auction engine, the providers and the
parties in the same way.
"""

import dataclasses

from oslo_log import log
from oslo_utils import timeutils

from flocx_auction import rpcapi as auction_rpcapi
from flocx_common.api import errors
from flocx_common.api import validation
from flocx_common import context
from flocx_common import notify
from flocx_common import policy as common_policy
from flocx_market.db import api as db_api
from flocx_market import policies
from flocx_provider import rpcapi as provider_rpcapi

LOG = log.getLogger(__name__)


@dataclasses.dataclass
class Services:
    """What the handlers use, built once per process."""
    conf: object
    enforcer: object
    db: db_api.Connection
    market: 'Market'


def build_services(conf, db=None):
    db = db or db_api.Connection.from_conf(conf)
    enforcer = common_policy.make_enforcer(conf, policies.list_rules())
    db.default_cleaning_gap = conf.market.cleaning_gap
    db.early_return_fee_percent = conf.market.early_return_fee_percent
    market = Market(db, notify.Notifier(conf, 'flocx-market'),
                    auction_rpcapi.AuctionAPI(conf),
                    provider_rpcapi.ProviderAPI(conf),
                    home_cloud=conf.federation.cloud_name)
    return Services(conf=conf, enforcer=enforcer, db=db, market=market)


class Market:
    def __init__(self, db, notifier, auction, providers, home_cloud='home'):
        self.db = db
        self.notifier = notifier
        self.auction = auction
        self.providers = providers
        self.home_cloud = home_cloud

    def create_offer(self, ctx, values):
        offer = self.db.create_offer(self._in_its_cloud(ctx, values))
        self.notifier.emit(ctx, 'Offer', 'create', offer)
        self.auction.order_created(ctx, 'offer', self._with_party(offer))
        return offer

    def cancel_offer(self, ctx, uuid, reason='cancelled by its owner',
                     tell_provider=True):
        offer = self.db.cancel_offer(uuid, reason)
        self.notifier.emit(ctx, 'Offer', 'cancel', offer)
        self.auction.order_cancelled(ctx, 'offer', uuid)
        if tell_provider and offer.get('provider') and \
                offer['cloud'] == self.home_cloud:
            # Cancelled here, through the market: the provider that
            # published it closes its own record now rather than at its
            # next comparison with the market (up to a minute), so that the
            # node can be offered again at once.
            self.providers.offer_closed(ctx, offer['provider'], offer)
        return offer

    def create_bid(self, ctx, values):
        bid = self.db.create_bid(values)
        self.notifier.emit(ctx, 'Bid', 'create', bid)
        self.auction.order_created(ctx, 'bid', self._with_party(bid))
        return bid

    # No party rents its own node: neither a project nor an organization
    # through another of its projects, in any cloud. The engine gets each
    # order's party and never pairs a bid with an offer of the same; the
    # market refuses such a contract all the same (commit_award).

    def parties(self):
        """{project: the organization it trades as} (see db)."""
        return self.db.organization_members(self.home_cloud)

    def _with_party(self, order, parties=None):
        """The order with its party: from ``parties`` when the caller has
        read them all (a whole book), else the one project's own lookup
        (a new order, inside an API request)."""
        project_id = order['project_id']
        if parties is None:
            cloud, own_id = context.cloud_project(project_id)
            party = self.db.organization_of(cloud or self.home_cloud, own_id)
        else:
            party = parties.get(project_id)
        return dict(order, party=party or project_id)

    def order_book(self):
        """The open book as the engine plans with it: each order with its
        party."""
        book, parties = self.db.order_book(), self.parties()
        return {kind: [self._with_party(order, parties) for order in orders]
                for kind, orders in book.items()}

    def cancel_bid(self, ctx, uuid, reason='cancelled by its owner'):
        bid = self.db.cancel_bid(uuid, reason)
        self.notifier.emit(ctx, 'Bid', 'cancel', bid)
        self.auction.order_cancelled(ctx, 'bid', uuid)
        return bid

    def commit_awards(self, ctx, round_id, awards):
        """Write what a round decided; refuse, one by one, what is stale."""
        accepted, refused = [], []
        parties = self.parties()
        for award in awards:
            award = dict(award, round_id=round_id,
                         start_time=_time(award['start_time']),
                         end_time=_time(award['end_time']))
            # A round committed again (the engine retrying after a lost
            # answer) returns the same contracts; tell nobody twice.
            known = self.db.get_contract(award['uuid']) is not None
            try:
                contract = self.db.commit_award(award, parties=parties)
            except db_api.Refused as e:
                LOG.info('Refused contract for bid %s: %s',
                         award['bid_uuid'], e)
                refused.append({'bid_uuid': award['bid_uuid'],
                                'reason': str(e)})
                continue
            accepted.append(contract)
            if known:
                continue
            self.notifier.emit(ctx, 'Contract', 'create', contract)
            self._tell_providers(ctx, contract)
        return {'accepted': accepted, 'refused': refused}

    def reject_bids(self, ctx, uuids, reason):
        rejected = self.db.reject_bids(uuids, reason)
        for uuid in rejected:
            self.notifier.emit(ctx, 'Bid', 'expire',
                               {'uuid': uuid, 'reason': reason})
        return rejected

    def update_contract(self, ctx, uuid, status, reason=None):
        contract = self.db.update_contract_status(uuid, status, reason)
        action = {'active': 'start', 'completed': 'end',
                  'cancelled': 'cancel', 'failed': 'fail'}.get(status)
        if action:
            self.notifier.emit(ctx, 'Contract', action, contract,
                               level='error' if status == 'failed'
                               else 'info')
        if status in ('cancelled', 'failed'):
            # The node-time is free again: the engine may sell it anew.
            self.auction.book_changed(ctx)
        return contract

    # A contract's life after it is written (see db/lifecycle.py)

    def return_contract(self, ctx, uuid, resource_uuids=None):
        changed = self.db.end_contract_nodes(
            uuid, 'returned', 'returned early by its renter',
            resource_uuids=resource_uuids)
        return self._ended(ctx, changed, 'return')

    def revoke_contract(self, ctx, uuid, reason, owner=None,
                        resource_uuids=None):
        changed = self.db.end_contract_nodes(
            uuid, 'revoked', reason, resource_uuids=resource_uuids,
            owner=owner)
        return self._ended(ctx, changed, 'revoke', level='warning')

    def extend_contract(self, ctx, uuid, end_time):
        changed = self.db.extend_contract(uuid, end_time)
        contract = changed['contract']
        self.notifier.emit(ctx, 'Contract', 'extend',
                           dict(contract, **changed['detail']))
        self._tell_providers(ctx, contract)
        return contract

    def record_delivery(self, ctx, uuid, resource_uuid, lent_at=None,
                        reclaimed_at=None):
        return self.db.record_delivery(uuid, resource_uuid,
                                       lent_at=_time(lent_at),
                                       reclaimed_at=_time(reclaimed_at))

    def withdraw_offer(self, ctx, uuid, reason='withdrawn by its owner'):
        offer = self.db.withdraw_offer(uuid, reason)
        self.notifier.emit(ctx, 'Offer', 'withdraw', offer)
        self.auction.order_cancelled(ctx, 'offer', uuid)
        return offer

    def sweep_contracts(self, ctx, conf, now=None):
        """Fail what no provider carries out; warn of coming ends."""
        failed = self.db.fail_unattended(
            conf.market.provider_start_timeout, now=now)
        for changed in failed:
            self._ended(ctx, changed, 'fail', level='error')
        warned = []
        if conf.market.before_end_warning:
            warned = self.db.contracts_ending(conf.market.before_end_warning,
                                              now=now)
            for contract in warned:
                self.notifier.emit(ctx, 'Contract', 'before_end', contract,
                                   level='warning')
        return {'failed': [c['contract']['uuid'] for c in failed],
                'warned': [c['uuid'] for c in warned]}

    def _ended(self, ctx, changed, action, level='info'):
        contract = changed['contract']
        self.notifier.emit(ctx, 'Contract', action,
                           dict(contract, **changed['detail']), level=level)
        # The providers reclaim what ended; the engine may sell the freed
        # node-time again.
        self._tell_providers(ctx, contract)
        self.auction.book_changed(ctx)
        return contract
    def set_contract_access(self, ctx, uuid, access):
        """Keep a renter's credential for the node's cloud until the end.

        Only its kind and expiry go into the renter's event: the secret is
        shown by ``GET /v1/contracts/{uuid}/access`` to the renter alone.
        """
        contract = self.db.set_contract_access(uuid, access)
        LOG.info('Contract %s: the renter\'s credential for its nodes\' '
                 'cloud is ready', uuid)
        return {'uuid': contract['uuid'], 'status': contract['status']}

    def expire_orders(self, ctx, now=None):
        closed = self.db.expire_orders(now or timeutils.utcnow())
        for kind in ('offers', 'bids'):
            for uuid in closed[kind]:
                self.notifier.emit(ctx, kind[:-1].capitalize(), 'expire',
                                   {'uuid': uuid})
        return closed

    def _in_its_cloud(self, ctx, values):
        """The offer as the cloud that vouched for its publisher places it.

        A member cloud's service offers nodes of that cloud, for projects of
        that cloud that take part in an organization; the market's own
        providers (its bus, its Keystone) for projects of the home cloud.
        The node's ``cloud`` and ``site`` properties are the market's word,
        never the publisher's: bids select clouds and sites by them.
        """
        project_id = values['project_id']
        if ctx.member_cloud:
            cloud = ctx.cloud
            if self.db.organization_of(cloud, project_id) is None:
                LOG.warning('Refused an offer from cloud %s for its project '
                            '%s, which takes part in no organization '
                            '(request %s)', cloud, project_id,
                            ctx.request_id)
                raise errors.Forbidden(
                    f'Project {project_id} of cloud {cloud} takes part in '
                    'no organization of this market.',
                    code='flocx.not_a_member')
            project_id = context.qualified_project(cloud, project_id)
        else:
            cloud = self.home_cloud
            if context.cloud_project(project_id)[0] is not None:
                raise errors.BadRequest(
                    f'{project_id} is a project of another cloud: only that '
                    'cloud\'s provider offers its nodes.',
                    pointer='/project_id')
        properties = dict(values.get('properties') or {}, cloud=cloud)
        properties.pop('site', None)
        registered = self.db.get_cloud(cloud)
        if registered and registered.get('site'):
            properties['site'] = registered['site']
        return dict(values, cloud=cloud, project_id=project_id,
                    properties=properties)

    # A provider reports on the contracts it carries out (status, lend and
    # reclaim times, a remote renter's credential): never on another
    # provider's nodes. Over the bus the provider names itself (the bus is
    # the market's own services'); a member cloud's provider is whoever
    # its cloud's Keystone vouched for, and speaks for that cloud alone.

    def check_reporter(self, ctx, uuid, provider=None, resource_uuid=None):
        """Refuse, and log, a report on nodes that are not the caller's.

        ``provider``: the name a provider on the bus gave (RPC); None for
        a request through the API.
        """
        origins = self.db.contract_node_origins(uuid)
        if origins is None:
            raise errors.NotFound(f'Contract {uuid} not found.')
        if ctx.cloud_service:
            reporter, cloud = f'cloud {ctx.cloud}\'s provider', ctx.cloud
            if not any(o['cloud'] == cloud for o in origins):
                # Not even visible to it (GET answers 404 too).
                self._refused(ctx, uuid, reporter)
                raise errors.NotFound(f'Contract {uuid} not found.')
        else:
            reporter = (f'provider {provider}' if provider
                        else 'the market\'s own services')
            cloud = self.home_cloud
        if resource_uuid is not None:
            origins = [o for o in origins
                       if o['resource_uuid'] == resource_uuid.lower()]
        if not any(o['cloud'] == cloud and
                   provider in (None, o['provider']) for o in origins):
            self._refused(ctx, uuid, reporter)
            raise errors.Forbidden(
                f'Contract {uuid} has no node of {reporter}'
                + (f' named {resource_uuid}' if resource_uuid else '')
                + ': a provider reports only on the nodes it carries out.',
                code='flocx.not_your_node')

    def _refused(self, ctx, uuid, reporter):
        LOG.warning('Refused a report on contract %s from %s, which '
                    'carries out none of the nodes concerned (request %s)',
                    uuid, reporter, ctx.request_id)

    def _tell_providers(self, ctx, contract):
        providers = set()
        for node in contract['nodes']:
            offer = self.db.get_offer(node['offer_uuid'])
            # Member clouds' providers are not on the market's bus: they
            # ask the API for their contracts every poll interval.
            if offer and offer.get('provider') and \
                    offer['cloud'] == self.home_cloud:
                providers.add(offer['provider'])
        for provider in sorted(providers):
            self.providers.contract_changed(ctx, provider, contract)


def _time(value):
    if isinstance(value, str):
        return validation.parse_time(value)
    return value
