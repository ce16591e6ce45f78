"""The auction engine: the order book in memory, rounds, and leadership.

The market's database is the source of truth. The engine loads the open
order book from the market when it starts leading and every
``resync_interval``, follows new and cancelled orders from the market's casts
in between, and sends each round's contracts back to the market, which
commits them one by one and refuses stale ones. Any number of engines may
run; a tooz lock makes exactly one of them the leader that clears.
"""

import collections
import dataclasses
import datetime
import os
import threading
import time
import uuid as uuidlib

from oslo_log import log
from oslo_utils import timeutils
from tooz import coordination

from flocx_auction import book
from flocx_auction import clearing
from flocx_auction import mechanisms
from flocx_common.api import validation

LOG = log.getLogger(__name__)

LEADER_LOCK = b'flocx-auction-leader'
# Contract uuids derive from their bid: a bid has at most one contract, and a
# round retried after a crash names the same contract again (idempotent).
CONTRACT_NAMESPACE = uuidlib.UUID('6f1c3d52-5c1e-4bb8-9a53-2f7c1c0e6a11')


class NotLeader(Exception):
    pass


def epoch(text):
    return validation.parse_time(text).replace(
        tzinfo=datetime.timezone.utc).timestamp()


def iso(seconds):
    return datetime.datetime.fromtimestamp(
        seconds, datetime.timezone.utc).isoformat()


# The property that names an order's party (its organization, or its
# project), set from the market's word over anything the publisher wrote:
# every bid forbids its own party's offers, as an ordinary constraint, so
# that no plan sells a party its own node.
PARTY = 'flocx:party'


def _party(item):
    return item.get('party') or item['project_id']


def to_offer(item):
    return book.Offer(
        uuid=item['uuid'], project_id=item['project_id'],
        resource_class=item['resource_class'],
        properties={**(item.get('properties') or {}), PARTY: _party(item)},
        start=epoch(item['start_time']), end=epoch(item['end_time']),
        price=float(item['price']),
        busy=tuple(sorted((epoch(s), epoch(e))
                          for s, e in item.get('busy', []))))


def to_bid(item):
    return book.Bid(
        uuid=item['uuid'], project_id=item['project_id'],
        quantity=int(item['quantity']),
        resource_class=item.get('resource_class'),
        constraints=(*(book.Constraint(c['property'], c['op'], c['value'])
                       for c in item.get('constraints') or []),
                     book.Constraint(PARTY, '!=', _party(item))),
        start=epoch(item['start_time']),
        latest_start=epoch(item['latest_start_time']),
        duration=float(item['duration']), price=float(item['price']),
        decide_by=epoch(item['decide_by']) if item.get('decide_by') else None,
        created_at=epoch(item['created_at']),
        span_clouds=bool(item.get('span_clouds')))


def award_to_dict(award):
    return {
        'uuid': str(uuidlib.uuid5(CONTRACT_NAMESPACE, award.bid_uuid)),
        'bid_uuid': award.bid_uuid,
        'start_time': iso(award.start),
        'end_time': iso(award.end),
        'price': award.price,
        'nodes': [{'offer_uuid': offer, 'price': price}
                  for offer, price in award.nodes],
    }


class OrderBook:
    """Open offers and bids by uuid; safe to change from RPC threads.

    Casts that arrive while a reload from the market is in flight are kept
    and replayed on top of the reloaded book, so that a reload never drops
    an order the market announced meanwhile.
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.offers = {}
        self.bids = {}
        self._journal = None

    def begin_reload(self):
        with self.lock:
            self._journal = []

    def replace(self, snapshot):
        offers = {o['uuid']: to_offer(o) for o in snapshot['offers']}
        bids = {b['uuid']: to_bid(b) for b in snapshot['bids']}
        with self.lock:
            self.offers, self.bids = offers, bids
            for change in self._journal or ():
                self._apply(*change)
            self._journal = None

    def add(self, kind, item):
        self._change('add', kind, item)

    def remove(self, kind, uuid):
        self._change('remove', kind, uuid)

    def _change(self, action, kind, value):
        with self.lock:
            self._apply(action, kind, value)
            if self._journal is not None:
                self._journal.append((action, kind, value))

    def _apply(self, action, kind, value):
        orders = self.offers if kind == 'offer' else self.bids
        if action == 'remove':
            orders.pop(value, None)
        elif kind == 'offer':
            orders[value['uuid']] = to_offer(value)
        else:
            orders[value['uuid']] = to_bid(value)

    def snapshot(self):
        with self.lock:
            return list(self.offers.values()), list(self.bids.values())

    def booked(self, contract):
        """Follow a committed contract: its bid is gone, its nodes busy."""
        start, end = epoch(contract['start_time']), epoch(contract['end_time'])
        # Each node is booked until the end of the cleaning gap after the
        # rental, and a rental before it must leave the same gap: the
        # market's order book shows bookings the same way.
        booked_until = {n['offer_uuid']: epoch(n['booked_until'])
                        for n in contract.get('nodes', ())
                        if n.get('booked_until')}
        with self.lock:
            self.bids.pop(contract['bid_uuid'], None)
            for offer_uuid in contract['offer_uuids']:
                offer = self.offers.get(offer_uuid)
                if offer is not None:
                    until = booked_until.get(offer_uuid, end)
                    span = (start - (until - end), until)
                    self.offers[offer_uuid] = dataclasses.replace(
                        offer, busy=tuple(sorted(offer.busy + (span,))))

    def sizes(self):
        with self.lock:
            return {'offers': len(self.offers), 'bids': len(self.bids)}


class Engine:
    def __init__(self, conf, market_api, admin_context):
        self.conf = conf
        self.market = market_api
        self.ctx = admin_context
        self.book = OrderBook()
        self.mechanism = mechanisms.load(conf.auction.mechanism)
        self.mechanism.time_limit = conf.auction.solver_time_limit
        self.host = conf.host
        self.member_id = f'{conf.host}-{os.getpid()}-{uuidlib.uuid4().hex[:6]}'
        self.leading = False
        self.last_round = None
        self._needs_resync = True
        self._last_resync = 0.0
        self._round_lock = threading.Lock()
        self._stop = threading.Event()
        self._coordinator = None
        self._lock = None
        self._thread = None
        self.on_leadership_change = lambda leading: None

    # Lifecycle

    def start(self):
        url = self.conf.auction.coordination_url or 'file://' + os.path.join(
            self.conf.auction.state_path, 'coordination')
        self._coordinator = coordination.get_coordinator(
            url, self.member_id.encode())
        self._coordinator.start(start_heart=True)
        self._lock = self._coordinator.get_lock(LEADER_LOCK)
        self._thread = threading.Thread(target=self._loop, daemon=True,
                                        name='auction-rounds')
        self._thread.start()

    def stop(self):
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=30)
            self._thread = None
        if self.leading:
            self._step_down()
        if self._coordinator:
            self._coordinator.stop()
            self._coordinator = None

    def _loop(self):
        while not self._stop.is_set():
            began = time.monotonic()
            try:
                self._keep_or_take_lead()
                if self.leading:
                    self.run_round()
            except Exception:
                # The market or the broker may be restarting: try again next
                # round with a fresh book.
                LOG.exception('Round failed')
                self._needs_resync = True
            elapsed = time.monotonic() - began
            self._stop.wait(max(0.05, self.conf.auction.round_interval
                                - elapsed))

    def _keep_or_take_lead(self):
        if self.leading:
            try:
                self._coordinator.heartbeat()
                return
            except Exception:
                LOG.exception('Lost the coordination backend; stepping down')
                self._step_down()
                return
        if self._lock.acquire(blocking=False):
            LOG.info('%s leads the auction', self.member_id)
            self.leading = True
            self._needs_resync = True
            self.on_leadership_change(True)

    def _step_down(self):
        self.leading = False
        try:
            self._lock.release()
        except Exception:
            LOG.debug('Could not release the leader lock', exc_info=True)
        self.on_leadership_change(False)

    # The book

    def resync(self):
        self.book.begin_reload()
        self.book.replace(self.market.get_order_book(self.ctx))
        self._needs_resync = False
        self._last_resync = time.monotonic()

    def order_created(self, kind, order):
        self.book.add(kind, order)

    def order_cancelled(self, kind, uuid):
        self.book.remove(kind, uuid)

    def book_changed(self):
        self._needs_resync = True

    # Rounds

    def run_round(self, reload=False):
        """Clear once, commit through the market, record the round.

        ``reload``: read the whole book from the market first, as an
        operator's "clear now" expects every order made before it to count
        (casts may still be on their way).
        """
        if not self.leading:
            raise NotLeader(f'{self.member_id} is not the leader')
        with self._round_lock:
            if reload or self._needs_resync or (
                    time.monotonic() - self._last_resync >
                                      self.conf.auction.resync_interval):
                self.resync()
            started = timeutils.utcnow()
            offers, bids = self.book.snapshot()
            now = time.time()
            result = clearing.clear_round(
                offers, bids, now, self.mechanism,
                answer_before_start=self.conf.auction.answer_before_start,
                next_round=now + self.conf.auction.round_interval)
            round_id = str(uuidlib.uuid4())
            committed = {'accepted': [], 'refused': []}
            if result.awards:
                committed = self.market.commit_awards(
                    self.ctx, round_id,
                    [award_to_dict(a) for a in result.awards])
            for contract in committed['accepted']:
                self.book.booked(contract)
            if committed['refused']:
                # What the market refused tells us our book was stale.
                self._needs_resync = True
            rejected = []
            if result.rejected:
                rejected = self.market.reject_bids(
                    self.ctx, result.rejected,
                    'no contract could be made by the time an answer was due')
                for uuid in result.rejected:
                    self.book.remove('bid', uuid)
            for uuid in result.expired_offers:
                self.book.remove('offer', uuid)
            self.last_round = self._record(
                round_id, started, offers, bids, result, committed, rejected)
            return self.last_round

    def _record(self, round_id, started, offers, bids, result, committed,
                rejected):
        accepted = {c['bid_uuid'] for c in committed['accepted']}
        bids_by_uuid = {b.uuid: b for b in bids}
        asks = {o.uuid: o.price for o in offers}
        welfare = sum(book.contract_welfare(a, bids_by_uuid[a.bid_uuid], asks)
                      for a in result.awards if a.bid_uuid in accepted)
        finished = timeutils.utcnow()
        stats = {k: v for k, v in result.stats.items()
                 if isinstance(v, (int, float, str))}
        stats['clearing_prices'] = result.clearing_prices
        record = {
            'uuid': round_id, 'host': self.host,
            'mechanism': self.mechanism.name,
            'started_at': started.isoformat(),
            'finished_at': finished.isoformat(),
            'offers_in': len(offers), 'bids_in': len(bids),
            'contract_uuids': [c['uuid'] for c in committed['accepted']],
            'refused': committed['refused'], 'rejected': rejected,
            'welfare': welfare,
            'clearing_prices': self._publishable_prices(
                result, accepted, offers),
            'duration_ms': (finished - started).total_seconds() * 1000,
            'stats': stats,
        }
        if not (offers or bids):
            # An empty market leaves no history worth keeping.
            record['id'] = round_id
            record['contracts'] = 0
            return record
        return self.market.record_round(self.ctx, record)

    def _publishable_prices(self, result, accepted, offers):
        """Clearing prices of the classes where enough contracts were made.

        With one or two trades in a class the price tells its parties
        too much about the other side's bid (the midpoint of bid and ask,
        say); such prices stay in the admin-only stats.
        """
        classes = {o.uuid: o.resource_class for o in offers}
        trades = collections.Counter(
            classes[a.nodes[0][0]] for a in result.awards
            if a.bid_uuid in accepted)
        floor = self.conf.auction.publish_price_min_contracts
        return {rc: price for rc, price in result.clearing_prices.items()
                if trades[rc] >= floor}

    def status(self):
        return {
            'leader': self.leading,
            'host': self.host,
            'member_id': self.member_id,
            'mechanism': self.mechanism.name,
            'round_interval': self.conf.auction.round_interval,
            'answer_before_start': self.conf.auction.answer_before_start,
            'book': self.book.sizes(),
            'last_round': self.last_round,
        }
