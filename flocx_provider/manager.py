"""Fulfilment: lend nodes at a contract's start, take them back at its end.

``ProviderManager`` is served by ``flocx-provider-manager``: an RPC endpoint
(the market casts ``contract_changed`` when it writes a contract with one of
this provider's nodes) and ``sweep()``, run every ``[provider]
poll_interval`` seconds and at the next known start or end.

What should happen comes from the market (this provider's scheduled and
active contracts) and from the leases table; how far the provider got is in
the fulfilment records, one per node of a contract or lease. Every step
reads both before acting, so a restarted manager resumes where it stopped,
and doing a step twice does no harm.

A node's record goes ``pending`` -> ``lent`` (lessee set: the renter sees
it) -> ``reclaimed`` (lessee unset, node cleaned and available). A lend
Ironic keeps refusing, after ``max_attempts`` or ``start_grace``, fails the
contract (``failed``); the nodes already lent for it are then reclaimed. A
reclaim is retried until it succeeds: a node must not stay with its renter.
"""

import concurrent.futures
import datetime
import threading

import oslo_messaging as messaging
from oslo_log import log
from oslo_utils import timeutils

from flocx_common import context
from flocx_provider import clouds as clouds_module
from flocx_provider.conf import provider as provider_conf
from flocx_provider.db import api as db_api
from flocx_provider import ironic
from flocx_provider import remote_access

LOG = log.getLogger(__name__)

LIVE_CONTRACT = ('scheduled', 'active')
# How often local offers are compared with the market's (expired, or
# cancelled there by an admin).
OFFER_SYNC_INTERVAL = datetime.timedelta(seconds=60)


class InlineExecutor:
    """Runs each job at once in the caller's thread (tests, one-shot runs)."""

    def submit(self, fn, *args):
        future = concurrent.futures.Future()
        try:
            future.set_result(fn(*args))
        except Exception as e:  # noqa: BLE001 -- handed to the future
            future.set_exception(e)
        return future

    def shutdown(self, wait=True, cancel_futures=False):
        pass


class ProviderManager:
    target = messaging.Target(version='1.1')

    def __init__(self, services, executor=None, clock=timeutils.utcnow):
        self.conf = services.conf
        self.db = services.db
        self.enforcer = services.enforcer
        provider = services.provider
        self.market = provider.market
        self.clouds = provider.clouds
        self.ironic = provider.ironic
        self.remote_access = provider.remote_access
        # Contract uuid -> project of this cloud standing for its renter.
        self._remote_lessees = {}
        # Contract uuid -> the renter's credential, made but not yet shown:
        # the market shows it once a node of the contract is lent.
        self._access_to_hand = {}
        self._remote_lock = threading.Lock()
        self.name = provider_conf.provider_name(self.conf)
        self.clock = clock
        self.executor = executor or concurrent.futures.ThreadPoolExecutor(
            self.conf.provider.workers, thread_name_prefix='fulfilment')
        # Set to make the sweeping loop run now (a nudge, a finished step).
        self.wake = threading.Event()
        self._lock = threading.Lock()
        # Nodes with an Ironic step under way: one step per node at a time.
        self._busy = set()
        self._futures = set()
        # The market's view of this provider's live contracts, from the
        # last sweep that could ask it.
        self._contracts = {}
        self._offers_synced = None

    # RPC endpoint

    def contract_changed(self, ctx, contract):
        """The market wrote or changed a contract: sweep now."""
        self.wake.set()

    def offer_closed(self, ctx, offer):
        """The market closed one of our offers: close it here too, now."""
        self._close_offers({offer['uuid']: offer})

    # The sweep

    def sweep(self, ctx=None):
        """One pass over everything due; returns seconds until the next."""
        ctx = ctx or context.get_admin_context(self.enforcer)
        now = self.clock()
        contracts = self._fetch_contracts(ctx)
        if contracts is not None:
            self._contracts = contracts
            self._record_contracts(contracts)
        for lease in self.db.live_leases():
            self.db.ensure_fulfilment({
                'lease_uuid': lease['uuid'], 'node_uuid': lease['node_uuid'],
                'owner_project_id': lease['project_id'],
                'lessee_project_id': lease['lessee_project_id'],
                'start_time': _time(lease['start_time']),
                'end_time': _time(lease['end_time'])})
        records = self.db.open_fulfilments()
        lent_nodes = {r['node_uuid']: r['id'] for r in records
                      if r['state'] == 'lent'}
        for record in records:
            live = self._is_live(record, known=contracts is not None)
            self._handle(ctx, record, live, now, lent_nodes)
        if contracts is not None:
            for uuid in contracts:
                self._report_contract(ctx, uuid)
        for record in self.db.unreported_deliveries():
            self._report_delivery(ctx, record)
        self._sync_offers(ctx, now)
        return self._seconds_until_due()

    def _handle(self, ctx, record, live, now, lent_nodes):
        """Start what is due for one record."""
        retry_at = record['next_attempt_at']
        if retry_at and retry_at > now:
            return
        if record['state'] == 'pending':
            if live is False:
                # Cancelled (or failed, or ended) before it started.
                self.db.update_fulfilment(record['id'], state='cancelled')
            elif now >= record['end_time']:
                self._give_up(ctx, record, 'the node could not be lent '
                              'before the end of its time'
                              + _because(record['last_error']))
            elif now >= record['start_time'] and lent_nodes.get(
                    record['node_uuid'], record['id']) == record['id']:
                # (A node still with its previous renter is lent once it
                # is back: the reclaim's end wakes the loop.)
                self._submit(ctx, record, self._lend)
        elif record['state'] == 'lent' and (
                live is False or now >= record['end_time']):
            self._submit(ctx, record, self._reclaim)

    def _is_live(self, record, known):
        """True/False: whether the contract or lease still wants the node;
        None when the market could not be asked."""
        if record['lease_uuid']:
            lease = self.db.get_lease(record['lease_uuid'])
            return lease is not None and lease['status'] in \
                db_api.LIVE_LEASE
        if not known:
            return None
        return record['contract_uuid'] in self._contracts

    def _fetch_contracts(self, ctx):
        contracts = {}
        try:
            for status in LIVE_CONTRACT:
                for contract in self.market.list_contracts(ctx, self.name,
                                                           status):
                    contracts[contract['uuid']] = contract
        except Exception:
            # Starts and ends already recorded still happen on time;
            # new contracts wait for the market.
            LOG.exception('Could not list contracts from the market')
            return None
        return contracts

    def _record_contracts(self, contracts):
        offer_uuids = {n['offer_uuid'] for c in contracts.values()
                       for n in c['nodes']}
        ours = self.db.offers_by_market_uuid(offer_uuids)
        for contract in contracts.values():
            for node in contract['nodes']:
                offer = ours.get(node['offer_uuid'])
                if offer is None:
                    continue  # another provider's node
                # Each node's own end: a return, a revocation or an
                # extension moves it (market API 1.1).
                end = _time(node.get('end_time') or contract['end_time'])
                record = self.db.ensure_fulfilment({
                    'contract_uuid': contract['uuid'],
                    'node_uuid': offer['node_uuid'],
                    'owner_project_id': offer['project_id'],
                    'lessee_project_id': contract['project_id'],
                    'start_time': _time(contract['start_time']),
                    'end_time': end})
                if node.get('ended_at') and record['state'] == 'pending':
                    # Ended before it was lent: nothing to do on Ironic.
                    self.db.update_fulfilment(record['id'],
                                              state='cancelled')
                elif record['state'] in db_api.OPEN_FULFILMENT and \
                        record['end_time'] != end:
                    self.db.update_fulfilment(record['id'], end_time=end)

    def _seconds_until_due(self):
        """Until the next start, end or retry, at most one poll interval.

        Waking at the deadline itself, rather than at the next poll, is what
        makes starts and ends precise.
        """
        now = self.clock()
        deadlines = []
        for record in self.db.open_fulfilments():
            due = record['start_time'] if record['state'] == 'pending' \
                else record['end_time']
            if record['next_attempt_at']:
                due = max(due, record['next_attempt_at'])
            deadlines.append(due)
        interval = self.conf.provider.poll_interval
        future = [d for d in deadlines if d > now]
        if not future:
            return interval
        wait = (min(future) - now).total_seconds()
        return max(0.0, min(interval, wait))

    # Steps, each on one node, in the executor

    def _submit(self, ctx, record, step):
        node = record['node_uuid']
        with self._lock:
            if node in self._busy:
                return
            self._busy.add(node)
        try:
            future = self.executor.submit(self._run, ctx, record, step)
        except RuntimeError:  # shutting down
            with self._lock:
                self._busy.discard(node)
            return
        with self._lock:
            self._futures.add(future)
        future.add_done_callback(self._done)

    def _done(self, future):
        with self._lock:
            self._futures.discard(future)
        self.wake.set()

    def _run(self, ctx, record, step):
        try:
            step(ctx, record)
        except Exception:
            LOG.exception('Fulfilment step %s failed on node %s',
                          step.__name__, record['node_uuid'])
        finally:
            with self._lock:
                self._busy.discard(record['node_uuid'])

    def _lend(self, ctx, record):
        node_uuid, lessee = record['node_uuid'], record['lessee_project_id']
        remote = _renter_of_another_cloud(record)
        try:
            if remote:
                lessee = self._remote_lessee(ctx, record)
            conn = self.clouds.connection(record['owner_project_id'])
            node = self.ironic.get_owned_node(conn, node_uuid,
                                              record['owner_project_id'])
            if node.lessee != lessee:
                self.ironic.check_offerable(node)
                self.ironic.lend(conn, node_uuid, lessee)
            if remote:
                self._hand_access(ctx, record['contract_uuid'])
        except (ironic.IronicError, clouds_module.NotGranted,
                clouds_module.Unreachable, remote_access.Unavailable,
                NoRemoteAccess) as e:
            self._lend_failed(ctx, record, _reason(e))
            return
        now = self.clock()
        LOG.info('Lent node %s to %s for %s, %.3f s after its start',
                 node_uuid, lessee, _what(record),
                 (now - record['start_time']).total_seconds())
        record = self.db.update_fulfilment(
            record['id'], state='lent', lent_at=now, last_error=None,
            next_attempt_at=None)
        self._report(ctx, record)
        self._report_delivery(ctx, record)

    def _remote_lessee(self, ctx, record):
        """The project of this cloud that stands for a renter of another.

        Made once per contract, with the renter's credential, which the
        market shows to the renter alone (remote_access.py) once a node is
        lent to that project (_hand_access).
        """
        uuid = record['contract_uuid']
        if not self.remote_access.enabled:
            raise NoRemoteAccess(
                f'renter {record["lessee_project_id"]} is of another cloud '
                'and this cloud makes no identities for such renters '
                '([remote_access] enabled)')
        # One grant per contract at a time: its nodes are lent in parallel.
        with self._remote_lock:
            project_id = self._remote_lessees.get(uuid)
            if project_id is None:
                project_id, access = self.remote_access.grant(
                    uuid, record['lessee_project_id'], record['end_time'])
                self._remote_lessees[uuid] = project_id
                self._access_to_hand[uuid] = access
                LOG.info('Made project %s and a credential until %s for '
                         'renter %s of contract %s', project_id,
                         record['end_time'], record['lessee_project_id'],
                         uuid)
        return project_id

    def _hand_access(self, ctx, contract_uuid):
        """Show the renter its credential, once: only after a node is lent
        to its project (a renter that read it earlier saw no node with it,
        and took the contract for broken). Kept to hand again if the market
        cannot be told now: the lend is retried, and so is this."""
        with self._remote_lock:
            access = self._access_to_hand.get(contract_uuid)
            if access is not None:
                self.market.set_contract_access(ctx, contract_uuid, access)
                del self._access_to_hand[contract_uuid]

    def _lend_failed(self, ctx, record, reason):
        now = self.clock()
        attempts = record['attempts'] + 1
        grace = datetime.timedelta(seconds=self.conf.provider.start_grace)
        if attempts >= self.conf.provider.max_attempts or \
                now >= record['start_time'] + grace or \
                now >= record['end_time']:
            record = self.db.update_fulfilment(record['id'],
                                               attempts=attempts)
            self._give_up(ctx, record, reason)
            return
        LOG.warning('Could not lend node %s for %s (attempt %d): %s',
                    record['node_uuid'], _what(record), attempts, reason)
        self.db.update_fulfilment(
            record['id'], attempts=attempts, last_error=reason,
            next_attempt_at=now + self._backoff(attempts))

    def _give_up(self, ctx, record, reason):
        LOG.error('Giving up lending node %s for %s: %s',
                  record['node_uuid'], _what(record), reason)
        self.db.update_fulfilment(record['id'], state='failed',
                                  last_error=reason, next_attempt_at=None)
        self._report(ctx, record)

    def _reclaim(self, ctx, record):
        node_uuid = record['node_uuid']
        started = self.clock()
        try:
            if _renter_of_another_cloud(record) and \
                    self._renter_done(record):
                # First the renter's way in, then the node.
                self.remote_access.revoke(record['contract_uuid'])
                with self._remote_lock:
                    self._remote_lessees.pop(record['contract_uuid'], None)
                    self._access_to_hand.pop(record['contract_uuid'], None)
            conn = self.clouds.connection(record['owner_project_id'])
            self.ironic.reclaim(conn, node_uuid)
        except (ironic.IronicError, clouds_module.NotGranted,
                clouds_module.Unreachable, remote_access.Unavailable) as e:
            attempts = record['attempts'] + 1
            reason = _reason(e)
            LOG.error('Could not reclaim node %s from %s (attempt %d): %s',
                      node_uuid, record['lessee_project_id'], attempts,
                      reason)
            self.db.update_fulfilment(
                record['id'], attempts=attempts, last_error=reason,
                next_attempt_at=self.clock() + self._backoff(attempts))
            return
        now = self.clock()
        LOG.info('Reclaimed node %s from %s for %s: started %.3f s after '
                 'its end, took %.3f s', node_uuid,
                 record['lessee_project_id'], _what(record),
                 (started - record['end_time']).total_seconds(),
                 (now - started).total_seconds())
        record = self.db.update_fulfilment(
            record['id'], state='reclaimed', reclaimed_at=now,
            last_error=None, next_attempt_at=None)
        self._report(ctx, record)
        self._report_delivery(ctx, record)

    def _renter_done(self, record):
        """Whether a contract's renter has no node left after this one (a
        node returned early leaves the rest of the contract in use)."""
        others = [r for r in self.db.fulfilments_of(
            contract_uuid=record['contract_uuid']) if r['id'] != record['id']]
        return self.clock() >= max(r['end_time'] for r in [record, *others]) \
            or not any(r['state'] in ('pending', 'lent') for r in others)

    def _backoff(self, attempts):
        seconds = min(self.conf.provider.max_retry_interval,
                      self.conf.provider.retry_interval * 2 ** (attempts - 1))
        return datetime.timedelta(seconds=seconds)

    # Telling the market (contracts) or the leases table how it went

    def _report(self, ctx, record):
        if record['lease_uuid']:
            self._report_lease(record['lease_uuid'])
        else:
            self._report_contract(ctx, record['contract_uuid'])

    def _report_contract(self, ctx, uuid):
        contract = self._contracts.get(uuid)
        if contract is None:
            return  # no longer live on the market: nothing to tell
        status, reason = _outcome(self.db.fulfilments_of(contract_uuid=uuid),
                                  contract['status'])
        if status is None or status == contract['status']:
            return
        try:
            updated = self.market.update_contract(ctx, uuid, status, reason)
        except Exception:
            # Told again at the next sweep.
            LOG.exception('Could not tell the market contract %s is %s',
                          uuid, status)
            return
        LOG.info('Contract %s is %s', uuid, status)
        if updated['status'] in LIVE_CONTRACT:
            self._contracts[uuid] = updated
        else:
            self._contracts.pop(uuid, None)

    def _report_delivery(self, ctx, record):
        """Tell the market when the renter got and lost the node: what it
        bills. Told again at the next sweep until it answers."""
        if not record['contract_uuid']:
            return
        told = record['reported']
        lent = record['lent_at'] if told is None else None
        reclaimed = record['reclaimed_at'] if told != 'reclaimed' else None
        if lent is None and reclaimed is None:
            return
        try:
            self.market.report_delivery(
                ctx, record['contract_uuid'], record['node_uuid'],
                lent_at=_iso(lent), reclaimed_at=_iso(reclaimed))
        except Exception:
            LOG.exception('Could not tell the market when node %s of '
                          'contract %s was lent or reclaimed',
                          record['node_uuid'], record['contract_uuid'])
            return
        self.db.update_fulfilment(
            record['id'], reported='reclaimed' if record['reclaimed_at']
            else 'lent')

    def _report_lease(self, uuid):
        lease = self.db.get_lease(uuid)
        if lease is None or lease['status'] not in db_api.LIVE_LEASE:
            return
        status, reason = _outcome(self.db.fulfilments_of(lease_uuid=uuid),
                                  lease['status'])
        if status and status != lease['status']:
            self.db.set_lease_status(uuid, status, reason,
                                     only_from=(lease['status'],))

    def _sync_offers(self, ctx, now):
        """Close local offers the market closed (expired, or by an admin)."""
        if self._offers_synced and now - self._offers_synced < \
                OFFER_SYNC_INTERVAL:
            return
        try:
            closed = {o['uuid']: o for o in self.market.list_offers(
                ctx, self.name) if o['status'] != 'open'}
        except Exception:
            LOG.exception('Could not list offers from the market')
            return
        self._offers_synced = now
        self._close_offers(closed)

    def _close_offers(self, closed):
        """Close our open offers among ``closed`` ({market uuid: offer})."""
        for uuid, offer in self.db.offers_by_market_uuid(closed).items():
            if offer['status'] == 'open':
                self.db.update_offer(
                    offer['uuid'], status=closed[uuid]['status'],
                    status_reason=closed[uuid].get('status_reason'))

    # Shutdown

    def stop(self, grace):
        """Wait up to ``grace`` s for steps under way; the rest resume at
        the next start."""
        with self._lock:
            futures = set(self._futures)
        self.executor.shutdown(wait=False, cancel_futures=True)
        _, not_done = concurrent.futures.wait(futures, timeout=grace)
        if not_done:
            LOG.warning('Stopping with %d Ironic step(s) under way; they '
                        'resume at the next start', len(not_done))


class NoRemoteAccess(Exception):
    """A renter of another cloud, and this cloud makes it no identity."""


def _renter_of_another_cloud(record):
    return bool(record['contract_uuid']) and \
        context.cloud_project(record['lessee_project_id'])[0] is not None


def _outcome(records, current):
    """(status, reason) the contract or lease should have, from its nodes'
    records; None when nothing is to be said yet."""
    if not records:
        return None, None
    # Nodes ended before they were lent (returned, revoked) are not
    # carried out; the others decide.
    records = [r for r in records if r['state'] != 'cancelled'] or records
    states = {r['state'] for r in records}
    if 'failed' in states:
        failed = [r for r in records if r['state'] == 'failed']
        return 'failed', '; '.join(
            f'node {r["node_uuid"]}: {r["last_error"]}' for r in failed)[:255]
    if states == {'lent'} and current == 'scheduled':
        return 'active', None
    if states == {'reclaimed'} and current == 'active':
        return 'completed', None
    return None, None


def _what(record):
    if record['lease_uuid']:
        return f'lease {record["lease_uuid"]}'
    return f'contract {record["contract_uuid"]}'


def _reason(e):
    return getattr(e, 'reason', None) or str(e)


def _because(error):
    return f' (last error: {error})' if error else ''


def _iso(value):
    return value.isoformat() + '+00:00' if value is not None else None


def _time(value):
    if isinstance(value, str):
        return timeutils.normalize_time(timeutils.parse_isotime(value))
    return value
