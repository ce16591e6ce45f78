"""Who gets which nodes when: hardware classes, free time, and the greedy planner.

Offers with identical hardware (resource class + properties) form a hardware class;
a bid's constraints are evaluated once per class, never per (bid, offer) pair.

The free time of a class is a flat table of gaps, one row per free interval of one
offer. Two gaps of the same offer never overlap, so the gaps that contain a
contract's interval always belong to distinct offers: picking N rows picks N nodes.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from flocx_auction.book import HOUR, Award, Bid, Offer


def _freeze(value):
    """Hashable form of a property or constraint value (lists become tuples)."""
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    return value


def free_intervals(offer: Offer, now: float) -> list[tuple[float, float]]:
    """The offer's window from `now` on, minus what earlier rounds already sold."""
    gaps = []
    cursor = max(offer.start, now)
    for busy_start, busy_end in sorted(offer.busy):
        if busy_start > cursor:
            gaps.append((cursor, min(busy_start, offer.end)))
        cursor = max(cursor, busy_end)
    if cursor < offer.end:
        gaps.append((cursor, offer.end))
    return [(s, e) for s, e in gaps if e > s]


@dataclasses.dataclass
class HardwareClass:
    resource_class: str
    properties: dict
    offers: list[int]  # indices into Market.offers


@dataclasses.dataclass(frozen=True)
class Allocation:
    """One planned contract, before pricing."""

    bid: Bid
    start: float
    offers: tuple[int, ...]  # indices into Market.offers

    @property
    def end(self) -> float:
        return self.start + self.bid.duration


class Market:
    """The offers of one round, grouped by hardware, with their free time from `now`."""

    def __init__(self, offers: list[Offer], now: float):
        self.offers = list(offers)
        self.now = now
        self.asks = np.array([o.price for o in self.offers], dtype=float)
        self.classes: list[HardwareClass] = []
        by_hardware: dict = {}
        for i, offer in enumerate(self.offers):
            key = (offer.resource_class, _freeze(dict(offer.properties)))
            if key not in by_hardware:
                by_hardware[key] = len(self.classes)
                self.classes.append(HardwareClass(offer.resource_class, dict(offer.properties), []))
            self.classes[by_hardware[key]].offers.append(i)
        self._gaps = [
            [(i, s, e) for i in hw.offers for s, e in free_intervals(self.offers[i], now)]
            for hw in self.classes
        ]
        self._eligible_cache: dict = {}
        self._typical_ask: dict = {}
        self._class_of_offer = {}
        for c, hw in enumerate(self.classes):
            for i in hw.offers:
                self._class_of_offer[self.offers[i].uuid] = hw.resource_class

    @property
    def stats(self) -> dict:
        return {"eligibility_checks": len(self._eligible_cache) * len(self.classes)}

    def eligible_classes(self, bid: Bid) -> tuple[int, ...]:
        """Hardware classes whose nodes satisfy the bid's resource class and constraints."""
        key = (
            bid.resource_class,
            tuple((c.property, c.op, _freeze(c.value)) for c in bid.constraints),
        )
        if key not in self._eligible_cache:
            self._eligible_cache[key] = tuple(
                c
                for c, hw in enumerate(self.classes)
                if (bid.resource_class is None or hw.resource_class == bid.resource_class)
                and all(con.holds(hw.properties) for con in bid.constraints)
            )
        return self._eligible_cache[key]

    def typical_ask(self, bid: Bid) -> float:
        """Median ask of the offers the bid could use (inf if none)."""
        classes = self.eligible_classes(bid)
        if classes not in self._typical_ask:
            offers = [i for c in classes for i in self.classes[c].offers]
            self._typical_ask[classes] = float(np.median(self.asks[offers])) if offers else np.inf
        return self._typical_ask[classes]

    def by_estimated_value(self, bid: Bid):
        """Greedy order: estimated welfare of the whole contract, highest first.

        Bigger contracts first (not value per node-hour): a 16-node bid placed late
        rarely finds 16 nodes free together, small ones fill the gaps it leaves.
        Monotone: a higher price never moves a bid later.
        """
        surplus = max(bid.price - self.typical_ask(bid), 0.0)
        return (-surplus * bid.quantity * bid.duration, -bid.price, bid.uuid)

    def class_of_award(self, award: Award) -> str:
        """The resource class a contract trades in (that of its first node)."""
        return self._class_of_offer[award.nodes[0][0]]

    def resource_class(self, allocation: Allocation) -> str:
        return self.offers[allocation.offers[0]].resource_class

    def schedule(self) -> Schedule:
        """A fresh, mutable copy of the free time, for one planning pass."""
        return Schedule(self)

    def welfare(self, allocation: Allocation) -> float:
        hours = allocation.bid.duration / HOUR
        return float(sum(allocation.bid.price - self.asks[i] for i in allocation.offers) * hours)


# Free time is indexed in time buckets (see FreeTime) of at least BUCKET seconds,
# wider when a class has few gaps: about ROWS_PER_BUCKET gaps per bucket at first.
BUCKET = 12 * HOUR
ROWS_PER_BUCKET = 512
_NO_ROWS = np.zeros(0, dtype=np.int64)
_NO_TIMES = np.zeros(0)


def _with_room(values: np.ndarray, capacity: int) -> np.ndarray:
    """`values` at the start of an array of `capacity` elements."""
    room = np.empty(capacity, dtype=values.dtype)
    room[: len(values)] = values
    return room


class _Bucket:
    """The rows listed in one time bucket of a FreeTime, in row order, with copies of
    their hardware class, start, end and ask so that a search reads contiguous
    memory. A copied end may be later than the row's: rows only shrink, and a search
    checks again with the row's own end."""

    __slots__ = ("row", "hw", "start", "end", "ask", "size")

    def __init__(self, row, hw, start, end, ask):
        self.size = len(row)
        capacity = max(8, 2 * self.size)
        self.row, self.hw = _with_room(row, capacity), _with_room(hw, capacity)
        self.start, self.end = _with_room(start, capacity), _with_room(end, capacity)
        self.ask = _with_room(ask, capacity)

    def columns(self):
        n = self.size
        return self.row[:n], self.hw[:n], self.start[:n], self.end[:n], self.ask[:n]


class FreeTime:
    """The free gaps of the hardware classes of one resource class.

    Rows (one per free interval of one offer) are parallel numpy arrays (hw, offer,
    start, end, ask) that grow in place. A row's start never changes and its end
    only shrinks: `take` keeps the left remainder in the row and appends the right
    one as a new row. Two gaps of the same offer never overlap, so the rows that
    contain a contract's interval belong to distinct offers.

    So that a bid looks only at the gaps around its start, not at every gap (their
    number grows with every split), rows are indexed by time: bucket k covers
    [origin + k width, origin + (k + 1) width) and lists every row whose gap
    reached into it when the row was made. A gap that contains time t is thus
    listed in the bucket of t. A row that has shrunk out of a bucket stays listed
    there until the bucket fills up and is cleaned.
    """

    def __init__(self, gaps: list[tuple[int, int, float, float]], asks: np.ndarray, origin: float):
        n = len(gaps)
        capacity = max(16, 2 * n)
        self.hw = np.zeros(capacity, dtype=np.int64)
        self.offer = np.zeros(capacity, dtype=np.int64)
        self.start = np.zeros(capacity)
        self.end = np.zeros(capacity)
        self.ask = np.zeros(capacity)
        self.size = n
        self.origin = origin
        self.width = BUCKET
        self._all_asks = asks
        self._buckets: list[_Bucket] = []
        if not n:
            return
        hw, offer, start, end = (np.array(column) for column in zip(*gaps))
        self.width = max(BUCKET, float(end.max() - origin) * ROWS_PER_BUCKET / n)
        self.hw[:n], self.offer[:n], self.start[:n], self.end[:n] = hw, offer, start, end
        self.ask[:n] = asks[offer]
        # Every (bucket, row) pair with the row's gap reaching into the bucket.
        first, last = self._bucket(start), self._bucket(end)
        spans = last - first + 1
        row = np.repeat(np.arange(n), spans)
        bucket = np.repeat(first - np.cumsum(spans) + spans, spans) + np.arange(len(row))
        order = np.argsort(bucket, kind="stable")
        row = row[order]
        bounds = np.searchsorted(bucket[order], np.arange(last.max() + 2))
        self._buckets = [
            _Bucket(r, self.hw[r], self.start[r], self.end[r], self.ask[r])
            for a, b in zip(bounds, bounds[1:])
            for r in [row[a:b]]
        ]

    def _bucket(self, t) -> np.ndarray:
        return np.maximum((np.asarray(t) - self.origin) // self.width, 0).astype(np.int64)

    def _bucket_of(self, t: float) -> int:
        return int(max((t - self.origin) // self.width, 0))

    def _append(self, hw: int, offer: int, start: float, end: float) -> None:
        if self.size == len(self.start):
            for name in ("hw", "offer", "start", "end", "ask"):
                old = getattr(self, name)
                setattr(self, name, np.concatenate([old, np.zeros_like(old)]))
        row = self.size
        ask = self._all_asks[offer]
        self.hw[row], self.offer[row], self.ask[row] = hw, offer, ask
        self.start[row], self.end[row] = start, end
        self.size += 1
        last = self._bucket_of(end)
        while len(self._buckets) <= last:
            self._buckets.append(_Bucket(_NO_ROWS, _NO_ROWS, _NO_TIMES, _NO_TIMES, _NO_TIMES))
        for k in range(self._bucket_of(start), last + 1):
            bucket = self._buckets[k]
            if bucket.size == len(bucket.row):
                bucket = self._clean(k)
            n = bucket.size
            bucket.row[n], bucket.hw[n], bucket.ask[n] = row, hw, ask
            bucket.start[n], bucket.end[n] = start, end
            bucket.size += 1

    def _clean(self, k: int) -> _Bucket:
        """Drop from bucket k the rows that no longer reach into it and refresh the
        ends of the others; double its room unless that freed half of it."""
        bucket = self._buckets[k]
        row, hw, start, _, ask = bucket.columns()
        end = self.end[row]
        keep = (end > start) & (end >= self.origin + k * self.width)
        columns = row[keep], hw[keep], start[keep], end[keep], ask[keep]
        n = len(columns[0])
        if 2 * n > len(bucket.row):
            self._buckets[k] = bucket = _Bucket(*columns)
        else:
            bucket.row[:n], bucket.hw[:n], bucket.start[:n], bucket.end[:n], bucket.ask[:n] = (
                columns
            )
            bucket.size = n
        return bucket

    def _near(self, first: float, last: float):
        """(row, hw, start, end, ask) of the rows listed in the buckets of [first, last],
        each once: every row whose gap contains a time in [first, last], and some
        more."""
        k0, k1 = self._bucket_of(first), self._bucket_of(last)
        if k0 >= len(self._buckets):
            return _NO_ROWS, _NO_ROWS, _NO_TIMES, _NO_TIMES, _NO_TIMES
        if k0 == k1:
            return self._buckets[k0].columns()
        # A row listed in bucket k0 is taken from there, any other from the bucket
        # where it starts.
        parts = [self._buckets[k0].columns()]
        for k in range(k0 + 1, min(k1, len(self._buckets) - 1) + 1):
            columns = self._buckets[k].columns()
            here = (columns[2] - self.origin) // self.width >= k
            parts.append(tuple(c[here] for c in columns))
        return tuple(np.concatenate(c) for c in zip(*parts))

    def fitting(self, first: float, last: float, duration: float, price: float, allowed=None):
        """Rows whose gap can hold `duration` starting somewhere in [first, last], at an
        ask not above `price`, of the hardware classes `allowed` (a bool
        per hardware class; None: all); with, per row, the earliest and latest such
        start (None and None when first == last)."""
        if first == last:  # a fixed start: the common case, kept cheap
            row, hw, start, end, ask = self._near(first, first)
            fit = (start <= first) & (end >= first + duration) & (ask <= price)
            if allowed is not None:
                fit &= allowed[hw]
            rows = row[fit]
            return rows[self.end[rows] >= first + duration], None, None
        # A fitting gap contains the contract's start t in [first, last]; when the range
        # is no longer than the contract, it also contains `last` (t <= last <= first +
        # duration <= t + duration): one bucket to search.
        row, hw, start, end, ask = self._near(last if last - first <= duration else first, last)
        earliest = np.maximum(start, first)
        fit = (earliest <= np.minimum(end - duration, last)) & (ask <= price)
        if allowed is not None:
            fit &= allowed[hw]
        fit = np.flatnonzero(fit)
        rows, earliest = row[fit], earliest[fit]
        latest = np.minimum(self.end[rows] - duration, last)  # with the row's own end
        fit = earliest <= latest
        return rows[fit], earliest[fit], latest[fit]

    def take(self, row: int, start: float, end: float) -> None:
        """Sell [start, end] out of gap `row`; what is left on either side stays free."""
        gap_end = self.end[row]
        self.end[row] = start  # the left remainder, empty if start == gap start
        if end < gap_end:
            self._append(self.hw[row], self.offer[row], end, gap_end)


class Schedule:
    """Free time of every resource class during one planning pass."""

    def __init__(self, market: Market):
        self.market = market
        tables: dict[str, list] = {}
        for c, hw in enumerate(market.classes):
            tables.setdefault(hw.resource_class, []).append(c)
        self._tables = list(tables.values())  # hardware classes of each table
        self.free = [
            FreeTime(
                [(c, i, s, e) for c in classes for i, s, e in market._gaps[c]],
                market.asks,
                market.now,
            )
            for classes in self._tables
        ]
        self._searches: dict = {}

    def _searches_for(self, bid: Bid) -> list:
        """(table, allowed hardware classes or None for all) to search for `bid`."""
        eligible = self.market.eligible_classes(bid)
        if eligible not in self._searches:
            allowed = np.zeros(len(self.market.classes), dtype=bool)
            allowed[list(eligible)] = True
            self._searches[eligible] = [
                (t, None if allowed[classes].all() else allowed)
                for t, classes in enumerate(self._tables)
                if allowed[classes].any()
            ]
        return self._searches[eligible]

    def place(
        self, bid: Bid, at: float | None = None, prefer: np.ndarray | None = None
    ) -> Allocation | None:
        """Give `bid` its cheapest fitting nodes at the start where they cost least
        (earliest among equals); None (and nothing changes) if it cannot be served.

        `at` pins the start; `prefer` (a bool per market offer) puts those offers
        first whatever their ask: how a plan from the LP is followed.
        """
        first = max(bid.start, self.market.now)
        last = bid.latest_start
        if at is not None:
            first, last = max(first, at), min(last, at)
        if first > last:
            return None
        quantity = bid.quantity
        parts = []
        found = 0
        for t, allowed in self._searches_for(bid):
            rows, earliest, latest = self.free[t].fitting(
                first, last, bid.duration, bid.price, allowed
            )
            if len(rows):
                parts.append((t, rows, earliest, latest))
                found += len(rows)
        if found < quantity:
            return None
        if len(parts) == 1:
            t, rows, earliest, latest = parts[0]
            free = self.free[t]
            table = None
            asks, offers = free.ask[rows], free.offer[rows]
            length = free.end[rows] - free.start[rows]
        else:
            table = np.concatenate([np.full(len(p[1]), p[0]) for p in parts])
            rows = np.concatenate([p[1] for p in parts])
            asks = np.concatenate([self.free[p[0]].ask[p[1]] for p in parts])
            offers = np.concatenate([self.free[p[0]].offer[p[1]] for p in parts])
            length = np.concatenate(
                [self.free[p[0]].end[p[1]] - self.free[p[0]].start[p[1]] for p in parts]
            )
            if first != last:
                earliest = np.concatenate([p[2] for p in parts])
                latest = np.concatenate([p[3] for p in parts])
        if prefer is not None:
            prefer = prefer[offers]

        if first == last:
            start, chosen = first, _preferred(asks, length, prefer, quantity)[:quantity]
        else:
            start, chosen = None, None
            cheap = _cheapest_rows(asks, 2 * quantity + 16) if prefer is None else None
            if cheap is not None:
                # Starts where enough of the cheapest rows are free; all rows if none.
                start, chosen = _cheapest_start(
                    earliest[cheap], latest[cheap], asks[cheap], length[cheap], None, quantity
                )
                if start is not None:
                    chosen = cheap[chosen]
            if start is None:
                start, chosen = _cheapest_start(earliest, latest, asks, length, prefer, quantity)
            if start is None:
                return None

        end = start + bid.duration
        for i in chosen.tolist():
            self.free[t if table is None else table[i]].take(rows[i], start, end)
        return Allocation(bid, float(start), tuple(sorted(offers[chosen].tolist())))


def _preferred(asks, length, prefer, count: int) -> np.ndarray:
    """Rows in preference order: the `prefer`red ones (if any) first, then the cheapest;
    among equally cheap ones, the shortest gap (best fit, so long gaps stay whole for
    long bids). When that saves sorting, only a prefix that holds the first `count`."""
    if prefer is None and 4 * count < len(asks):
        cut = np.partition(asks, count - 1)[count - 1]
        rows = np.flatnonzero(asks <= cut)
        return rows[np.lexsort((length[rows], asks[rows]))]
    return np.lexsort((length, asks) if prefer is None else (length, asks, ~prefer))


def _cheapest_rows(asks, count: int) -> np.ndarray | None:
    """The rows as cheap as the count-th cheapest, in row order; None if that is
    not much fewer than all."""
    if 4 * count >= len(asks):
        return None
    return np.flatnonzero(asks <= np.partition(asks, count - 1)[count - 1])


def _cheapest_start(earliest, latest, asks, length, prefer, quantity: int):
    """(start, rows): the start where the `quantity` first rows in preference order that
    are free then cost least (earliest among equals), and those rows; (None, None) if
    no start has enough. Row i can start anywhere in [earliest_i, latest_i].

    Only left ends need trying: the rows free at any t are also free at the last left
    end before t.
    """
    candidates = np.unique(earliest)
    if len(candidates) > 1:
        candidates = _enough_rows_free(candidates, earliest, latest, quantity)
    if len(candidates) == 0:
        return None, None
    # Keep the (candidates x rows) table small on big books: thin out the starts.
    limit = max(8, 200_000 // len(asks))
    if len(candidates) > limit:
        candidates = candidates[
            np.unique(np.linspace(0, len(candidates) - 1, limit).round().astype(int))
        ]
    # The first rows in preference order usually have `quantity` free at every
    # candidate; only when they do not, all rows are needed.
    for count in (4 * quantity + 32, len(asks)):
        order = _preferred(asks, length, prefer, count)
        free = (earliest[order] <= candidates[:, None]) & (latest[order] >= candidates[:, None])
        taken = free & (np.cumsum(free, axis=1) <= quantity)
        enough = taken.sum(axis=1) >= quantity
        if enough.all() or len(order) == len(asks):
            break
    cost = np.where(enough, taken @ asks[order], np.inf)
    best = int(np.argmin(cost))
    if not enough[best]:
        return None, None
    return float(candidates[best]), order[taken[best]]


def _enough_rows_free(candidates, earliest, latest, quantity):
    """The candidate starts at which at least `quantity` rows are free."""
    lefts = np.sort(earliest)
    rights = np.sort(latest)
    coverage = np.searchsorted(lefts, candidates, side="right") - np.searchsorted(
        rights, candidates, side="left"
    )
    return candidates[coverage >= quantity]


def by_arrival(bid: Bid):
    return (bid.created_at, bid.uuid)


def greedy(market: Market, bids, order=None) -> list[Allocation]:
    """Place bids one by one in `order` (default: estimated value, highest first),
    each on its cheapest fitting nodes."""
    schedule = market.schedule()
    placed = []
    for bid in sorted(bids, key=order or market.by_estimated_value):
        allocation = schedule.place(bid)
        if allocation is not None:
            placed.append(allocation)
    return placed
