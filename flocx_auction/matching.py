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

from flocx_auction.book import CLOUD, HOUR, Award, Bid, Offer


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
        self._gap_cache: dict | None = None
        self._typical_ask: dict = {}
        self._class_of_offer = {}
        # The uuids of the bids the round must answer now (set by
        # clearing.clear_round; None: all of them).
        self.due: set | None = None
        for c, hw in enumerate(self.classes):
            for i in hw.offers:
                self._class_of_offer[self.offers[i].uuid] = hw.resource_class
        # The cloud of each hardware class (its offers' `cloud` property: part
        # of the hardware, so one per class); a book of one cloud never splits
        # a bid's classes by cloud.
        self._cloud_of_class = [_freeze(hw.properties.get(CLOUD)) for hw in self.classes]
        self.multi_cloud = len(set(self._cloud_of_class)) > 1
        self._cloud_groups: dict = {}

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

    def cloud_groups(self, bid: Bid) -> tuple[tuple[int, ...], ...] | None:
        """The bid's eligible hardware classes per cloud, clouds in name order, when
        the bid must get all its nodes in one cloud and could use more than one;
        None when any mix of its eligible classes will do (a book of one cloud, a
        bid of one node, a bid that may span clouds, eligible nodes in one cloud)."""
        if not self.multi_cloud or bid.quantity <= 1 or bid.span_clouds:
            return None
        eligible = self.eligible_classes(bid)
        if eligible not in self._cloud_groups:
            by_cloud: dict = {}
            for c in eligible:
                by_cloud.setdefault(self._cloud_of_class[c], []).append(c)
            groups = None
            if len(by_cloud) > 1:
                groups = tuple(
                    tuple(by_cloud[k])
                    for k in sorted(by_cloud, key=lambda k: (k is None, str(k)))
                )
            self._cloud_groups[eligible] = groups
        return self._cloud_groups[eligible]

    def _gap_arrays(self, c: int):
        """The free gaps of class `c` as arrays (start, end, ask), built once."""
        if self._gap_cache is None:
            self._gap_cache = {}
        if c not in self._gap_cache:
            gaps = self._gaps[c]
            self._gap_cache[c] = (
                np.array([s for _, s, _ in gaps], dtype=float),
                np.array([e for _, _, e in gaps], dtype=float),
                self.asks[np.array([i for i, _, _ in gaps], dtype=np.int64)],
            )
        return self._gap_cache[c]

    def may_fit(self, bid: Bid) -> bool:
        """False if no plan can serve `bid` this round: fewer than `quantity` free
        gaps of nodes it may use, at most its price, are long enough for it
        somewhere in its start range (a gap per node at any one time, so this
        bounds the nodes free together)."""
        first, last = max(bid.start, self.now), bid.latest_start
        if first > last:
            return False
        groups = self.cloud_groups(bid)
        if groups is not None:
            # All of its nodes in one cloud: enough of them in some cloud.
            return any(self._may_fit_in(bid, classes, first, last) for classes in groups)
        return self._may_fit_in(bid, self.eligible_classes(bid), first, last)

    def _may_fit_in(self, bid: Bid, classes, first: float, last: float) -> bool:
        count = 0
        for c in classes:
            gs, ge, ask = self._gap_arrays(c)
            if not len(gs):
                continue
            count += int(np.count_nonzero(
                (ask <= bid.price) & (gs <= last) & (ge >= first + bid.duration)
                & (ge - np.maximum(gs, first) >= bid.duration)))
            if count >= bid.quantity:
                return True
        return False

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

    def classes_of_award(self, award: Award) -> set[str]:
        """The resource classes of all of a contract's nodes."""
        return {self._class_of_offer[uuid] for uuid, _ in award.nodes}

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
# A bucket is rebuilt (rows that shrank out of it dropped, its tail sorted in) when
# its tail and such rows together exceed a quarter of it and REBUILD_MIN rows: a
# search then reads fewer rows, and a rebuild costs about one search of it.
REBUILD_MIN = 64
# A search that needs only the `enough` cheapest rows reads a bucket's sorted rows in
# chunks: max(FIRST_CHUNK, CHUNK_PER_ROW x enough) rows (about a fifth of the rows
# read fit), then twice as many, and so on, until enough of them fit.
FIRST_CHUNK = 128
CHUNK_PER_ROW = 4
# A bucket of at most SMALL_BUCKET rows is read whole, in one pass (10k books).
SMALL_BUCKET = 4096
_NO_ROWS = np.zeros(0, dtype=np.int64)
_NO_TIMES = np.zeros(0)
_NO_FIT = (_NO_ROWS, _NO_TIMES)


def _with_room(values: np.ndarray, capacity: int) -> np.ndarray:
    """`values` at the start of an array of `capacity` elements."""
    room = np.empty(capacity, dtype=values.dtype)
    room[: len(values)] = values
    return room


class _Bucket:
    """The rows listed in one time bucket of a FreeTime, with copies of their hardware
    class, start and ask (which never change) so that a search reads contiguous
    memory; ends shrink, so a search reads them from the FreeTime.

    The first `sorted_size` rows are sorted by ask, rows of equal ask in row order:
    a search at price p reads them only up to the last ask <= p. Rows listed since
    the bucket was last built (its tail) follow in row order; they are newer, so
    numbered higher, than the sorted ones. Either way rows of equal ask come out in
    row order, the tie-break the planner's choices depend on.

    `stale` counts the rows that shrank out of the bucket since it was built (they
    stay listed until the next build).
    """

    __slots__ = ("row", "hw", "start", "ask", "size", "sorted_size", "stale")

    def __init__(self, row, hw, start, ask):
        """From rows already sorted by (ask, row)."""
        self.size = self.sorted_size = len(row)
        self.stale = 0
        capacity = max(8, 2 * self.size)
        self.row, self.hw = _with_room(row, capacity), _with_room(hw, capacity)
        self.start, self.ask = _with_room(start, capacity), _with_room(ask, capacity)

    def columns(self):
        n = self.size
        return self.row[:n], self.hw[:n], self.start[:n], self.ask[:n]

    def needs_rebuild(self) -> bool:
        unsorted = self.size - self.sorted_size + self.stale
        return unsorted > REBUILD_MIN and 4 * unsorted > self.size


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
    there until the bucket is rebuilt. Within a bucket, rows are sorted by ask (see
    _Bucket), so that a bid reads only the gaps it can afford.
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
        # Every (bucket, row) pair with the row's gap reaching into the bucket, by
        # bucket, then ask, then row.
        first, last = self._bucket(start), self._bucket(end)
        spans = last - first + 1
        row = np.repeat(np.arange(n), spans)
        bucket = np.repeat(first - np.cumsum(spans) + spans, spans) + np.arange(len(row))
        order = np.lexsort((row, self.ask[row], bucket))
        row = row[order]
        bounds = np.searchsorted(bucket[order], np.arange(last.max() + 2))
        self._buckets = [
            _Bucket(r, self.hw[r], self.start[r], self.ask[r])
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
            self._buckets.append(_Bucket(_NO_ROWS, _NO_ROWS, _NO_TIMES, _NO_TIMES))
        for k in range(self._bucket_of(start), last + 1):
            bucket = self._buckets[k]
            if bucket.size == len(bucket.row):
                bucket = self._rebuild(k)
            n = bucket.size
            bucket.row[n], bucket.hw[n], bucket.start[n], bucket.ask[n] = row, hw, start, ask
            bucket.size += 1

    def _rebuild(self, k: int) -> _Bucket:
        """Drop from bucket k the rows that no longer reach into it and sort the others
        by ask; double its room unless that freed half of it."""
        bucket = self._buckets[k]
        row, hw, start, ask = bucket.columns()
        end = self.end[row]
        keep = np.flatnonzero((end > start) & (end >= self.origin + k * self.width))
        # Stable: the tail's rows are numbered higher than the sorted ones, so rows
        # of equal ask stay in row order.
        keep = keep[np.argsort(ask[keep], kind="stable")]
        columns = row[keep], hw[keep], start[keep], ask[keep]
        n = len(keep)
        if 2 * n > len(bucket.row):
            self._buckets[k] = bucket = _Bucket(*columns)
        else:
            bucket.row[:n], bucket.hw[:n], bucket.start[:n], bucket.ask[:n] = columns
            bucket.size = bucket.sorted_size = n
            bucket.stale = 0
        return bucket

    def fitting(
        self,
        first: float,
        last: float,
        duration: float,
        price: float,
        allowed=None,
        enough: int | None = None,
    ):
        """Rows whose gap can hold `duration` starting somewhere in [first, last], at an
        ask not above `price`, of the hardware classes `allowed` (a bool per hardware
        class; None: all); with, per row, the earliest and latest such start (None and
        None when first == last); and the ask up to which they are all such rows:
        `price`, or with `enough`, lower when the search could stop early because it
        had `enough` fitting rows at least that cheap. Rows of equal ask come in row
        order (within each bucket searched): the planner breaks ties by position.
        """
        # A fitting gap contains the contract's start t in [first, last]; when the range
        # is no longer than the contract, it also contains `last` (t <= last <= first +
        # duration <= t + duration): one bucket to search.
        k0 = self._bucket_of(last if last - first <= duration else first)
        k1 = min(self._bucket_of(last), len(self._buckets) - 1)
        found = []
        for k in range(k0, k1 + 1):
            bucket = self._buckets[k]
            if bucket.needs_rebuild():
                bucket = self._rebuild(k)
            from_k = k if k > k0 else None
            search = (first, last, duration)
            if bucket.size <= SMALL_BUCKET:
                # One pass over the sorted rows and the tail (rows of equal ask still in
                # row order): fewer numpy calls than reading by ask, for as many rows.
                found.append(self._fit(bucket, 0, bucket.size, *search, price, allowed, from_k))
                continue
            tail = _NO_FIT
            if bucket.size > bucket.sorted_size:
                tail = self._fit(
                    bucket, bucket.sorted_size, bucket.size, *search, price, allowed, from_k
                )
            # The sorted rows the bid can afford, cheapest first; with `enough`, in
            # growing chunks (a run of equal asks never split) until enough of them,
            # and of the tail's rows as cheap, fit. Then no dearer row is needed, here
            # or in the buckets that follow: `price` comes down to the last ask read.
            asks = bucket.ask[: bucket.sorted_size]
            affordable = int(asks.searchsorted(price, side="right"))
            begin, fits = 0, 0
            chunk = max(FIRST_CHUNK, CHUNK_PER_ROW * enough) if enough else affordable
            while begin < affordable:
                stop = affordable
                if begin + chunk < affordable:
                    stop = int(asks.searchsorted(asks[begin + chunk - 1], side="right"))
                part = self._fit(bucket, begin, stop, *search, None, allowed, from_k)
                found.append(part)
                fits += len(part[0])
                begin, chunk = stop, 2 * chunk
                if begin < affordable:
                    enough_here = fits >= enough or (
                        len(tail[0])
                        and fits + np.count_nonzero(self.ask[tail[0]] <= asks[stop - 1]) >= enough
                    )
                    if enough_here:
                        price = float(asks[stop - 1])
                        break
            found.append(tail)
        rows = _joined([rows for rows, _ in found], _NO_ROWS)
        if first == last:
            return rows, None, None, price
        earliest = _joined([earliest for _, earliest in found], _NO_TIMES)
        return rows, earliest, np.minimum(self.end[rows] - duration, last), price

    def _fit(self, bucket, begin, end, first, last, duration, price, allowed, from_k):
        """(rows, earliest start or None) of the rows begin:end of `bucket` that fit
        (see fitting); `price` None: their asks are known to be affordable; `from_k`:
        only the rows that start in bucket `from_k` or later."""
        start = bucket.start[begin:end]
        row = bucket.row[begin:end]
        gap_end = self.end[row]
        if first == last:
            fit = (start <= first) & (gap_end >= first + duration)
        else:
            earliest = np.maximum(start, first)
            fit = earliest <= np.minimum(gap_end - duration, last)
        if price is not None:
            fit &= bucket.ask[begin:end] <= price
        if allowed is not None:
            fit &= allowed[bucket.hw[begin:end]]
        if first == last:
            return row[fit], None
        fit = np.flatnonzero(fit)
        rows, earliest = row[fit], earliest[fit]
        if from_k is not None:
            # A row listed in an earlier bucket of the search is taken from there.
            here = (start[fit] - self.origin) // self.width >= from_k
            rows, earliest = rows[here], earliest[here]
        return rows, earliest

    def take(self, row: int, start: float, end: float) -> None:
        """Sell [start, end] out of gap `row`; what is left on either side stays free."""
        gap_start, gap_end = self.start[row].item(), self.end[row].item()
        self.end[row] = start  # the left remainder, empty if start == gap start
        # The buckets the row no longer reaches into (all it was in if now empty);
        # times here are never before the origin.
        left_from = int((start - self.origin) // self.width) + (start > gap_start)
        for bucket in self._buckets[left_from : int((gap_end - self.origin) // self.width) + 1]:
            bucket.stale += 1
        if end < gap_end:
            self._append(self.hw[row], self.offer[row], end, gap_end)


def _joined(parts: list, empty: np.ndarray) -> np.ndarray:
    parts = [p for p in parts if len(p)]
    if len(parts) == 1:
        return parts[0]
    return np.concatenate(parts) if parts else empty


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

    def _searches_for(self, bid: Bid, eligible: tuple | None = None) -> list:
        """(table, allowed hardware classes or None for all) to search for `bid`
        (on `eligible` hardware classes; default: all that it may use)."""
        if eligible is None:
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

        A bid that must get all its nodes in one cloud (Market.cloud_groups) is
        placed in each cloud in turn (nothing taken), and takes the best: most
        `prefer`red nodes, then cheapest, then earliest, then first cloud by name.
        """
        groups = self.market.cloud_groups(bid)
        if groups is None:
            found = self._find(bid, at, prefer, None)
        else:
            found, best = None, None
            for classes in groups:
                here = self._find(bid, at, prefer, classes)
                if here is None:
                    continue
                start, chosen, rows = here
                rank = (float(rows.asks[chosen].sum()), start)
                if prefer is not None:
                    rank = (-int(rows.preferred(prefer)[chosen].sum()), *rank)
                if best is None or rank < best:
                    found, best = here, rank
        if found is None:
            return None
        start, chosen, rows = found
        end = start + bid.duration
        for i, row in zip(chosen.tolist(), rows.rows[chosen].tolist()):
            self.free[rows.table_of(i)].take(row, start, end)
        return Allocation(bid, float(start), tuple(sorted(rows.offers[chosen].tolist())))

    def _find(self, bid: Bid, at, prefer, eligible):
        """(start, chosen rows, candidates) of place, on the hardware classes
        `eligible` (None: all the bid may use), or None; takes nothing."""
        first = max(bid.start, self.market.now)
        last = bid.latest_start
        if at is not None:
            first, last = max(first, at), min(last, at)
        if first > last:
            return None
        quantity = bid.quantity
        if first == last:
            # Only the cheapest rows can be chosen (unless `prefer` says otherwise).
            rows = self._candidates(
                bid, first, last, quantity if prefer is None else None, eligible
            )
            if rows is None:
                return None
            start = first
            chosen = _preferred(rows.asks, rows.length, rows.preferred(prefer), quantity)
            chosen = chosen[:quantity]
        else:
            # A flexible start is sought among the 2q+16 cheapest rows first, among
            # all rows if no start has enough of those free. The search may stop at
            # 4 (2q+16) + 1 rows: as with all of them, _cheapest_rows then sees the
            # cheap ones are fewer than a quarter.
            start, chosen = None, None
            cheap_count = 2 * quantity + 16
            rows = None
            if prefer is None:
                rows = self._candidates(bid, first, last, 4 * cheap_count + 1, eligible)
                if rows is None:
                    return None
                cheap = _cheapest_rows(rows.asks, cheap_count)
                if cheap is not None:
                    start, chosen = _cheapest_start(
                        rows.earliest[cheap],
                        rows.latest[cheap],
                        rows.asks[cheap],
                        rows.length[cheap],
                        None,
                        quantity,
                    )
                    if start is not None:
                        chosen = cheap[chosen]
            if start is None:
                if rows is None or not rows.complete:
                    rows = self._candidates(bid, first, last, None, eligible)
                    if rows is None:
                        return None
                start, chosen = _cheapest_start(
                    rows.earliest,
                    rows.latest,
                    rows.asks,
                    rows.length,
                    rows.preferred(prefer),
                    quantity,
                )
            if start is None:
                return None
        return start, chosen, rows

    def _candidates(
        self, bid: Bid, first: float, last: float, enough: int | None, eligible=None
    ):
        """The free rows that could serve `bid` starting in [first, last] (all of them,
        or with `enough`, at least every one as cheap as the `enough`-th cheapest);
        None if fewer than its quantity."""
        parts = []
        found = 0
        # Once a table has `enough` rows up to some ask, the others need not be read
        # beyond it: the search's price comes down as it goes.
        price = bid.price
        for t, allowed in self._searches_for(bid, eligible):
            rows, earliest, latest, price = self.free[t].fitting(
                first, last, bid.duration, price, allowed, enough
            )
            if len(rows):
                parts.append((t, rows, earliest, latest))
                found += len(rows)
        if found < bid.quantity:
            return None
        return _Candidates(self.free, parts, complete=price == bid.price)


class _Candidates:
    """The rows a search found, from one or more tables, as flat arrays: rows (in
    their table), asks, offers, gap lengths, earliest and latest start (flexible
    starts only); `complete`: every fitting row, not only the cheapest."""

    def __init__(self, free: list[FreeTime], parts: list, complete: bool):
        self.complete = complete
        if len(parts) == 1:
            t, rows, self.earliest, self.latest = parts[0]
            self.table = None
            self._only_table = t
            table = free[t]
            self.rows = rows
            self.asks, self.offers = table.ask[rows], table.offer[rows]
            self.length = table.end[rows] - table.start[rows]
            return
        self.table = np.concatenate([np.full(len(rows), t) for t, rows, _, _ in parts])
        self.rows = np.concatenate([rows for _, rows, _, _ in parts])
        self.asks = np.concatenate([free[t].ask[rows] for t, rows, _, _ in parts])
        self.offers = np.concatenate([free[t].offer[rows] for t, rows, _, _ in parts])
        self.length = np.concatenate(
            [free[t].end[rows] - free[t].start[rows] for t, rows, _, _ in parts]
        )
        self.earliest = self.latest = None
        if parts[0][2] is not None:
            self.earliest = np.concatenate([p[2] for p in parts])
            self.latest = np.concatenate([p[3] for p in parts])

    def table_of(self, i: int) -> int:
        return self._only_table if self.table is None else int(self.table[i])

    def preferred(self, prefer):
        """`prefer` (a bool per market offer) for these rows; None stays None."""
        return None if prefer is None else prefer[self.offers]


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
    candidates = _distinct(earliest)
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
        taken = free & (free.cumsum(axis=1) <= quantity)
        enough = taken.sum(axis=1) >= quantity
        if enough.all() or len(order) == len(asks):
            break
    cost = np.where(enough, taken @ asks[order], np.inf)
    best = int(np.argmin(cost))
    if not enough[best]:
        return None, None
    return float(candidates[best]), order[taken[best]]


def _distinct(values: np.ndarray) -> np.ndarray:
    """np.unique(values) for a 1-d array, without its overhead on small ones."""
    values = np.sort(values)
    if len(values) > 1:
        values = values[np.flatnonzero(values[1:] != values[:-1]).tolist() + [len(values) - 1]]
    return values


def _enough_rows_free(candidates, earliest, latest, quantity):
    """The candidate starts at which at least `quantity` rows are free."""
    lefts = np.sort(earliest)
    rights = np.sort(latest)
    coverage = lefts.searchsorted(candidates, side="right") - rights.searchsorted(
        candidates, side="left"
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
