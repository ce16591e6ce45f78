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


class FreeTime:
    """The free gaps of one hardware class: parallel numpy arrays that grow in place."""

    def __init__(self, gaps: list[tuple[int, float, float]], asks: np.ndarray):
        capacity = max(16, 2 * len(gaps))
        self.offer = np.zeros(capacity, dtype=np.int64)
        self.start = np.zeros(capacity)
        self.end = np.zeros(capacity)
        self.ask = np.zeros(capacity)
        self.size = 0
        self._all_asks = asks
        for offer, s, e in gaps:
            self._append(offer, s, e)

    def _append(self, offer: int, start: float, end: float) -> None:
        if self.size == len(self.start):
            for name in ("offer", "start", "end", "ask"):
                old = getattr(self, name)
                setattr(self, name, np.concatenate([old, np.zeros_like(old)]))
        n = self.size
        self.offer[n], self.start[n], self.end[n] = offer, start, end
        self.ask[n] = self._all_asks[offer]
        self.size += 1

    def fitting(self, first: float, last: float, duration: float, price: float):
        """Rows whose gap can hold `duration` starting somewhere in [first, last], at an
        ask not above `price`; with, per row, the earliest and latest such start."""
        n = self.size
        if first == last:  # a fixed start: the common case, kept cheap
            rows = np.flatnonzero(
                (self.start[:n] <= first)
                & (self.end[:n] >= first + duration)
                & (self.ask[:n] <= price)
            )
            return rows, None, None
        earliest = np.maximum(self.start[:n], first)
        latest = np.minimum(self.end[:n] - duration, last)
        rows = np.flatnonzero((earliest <= latest) & (self.ask[:n] <= price))
        return rows, earliest[rows], latest[rows]

    def take(self, row: int, start: float, end: float) -> None:
        """Sell [start, end] out of gap `row`; what is left on either side stays free."""
        gap_end = self.end[row]
        self.end[row] = start  # the left remainder, empty if start == gap start
        if end < gap_end:
            self._append(self.offer[row], end, gap_end)


class Schedule:
    """Free time of every hardware class during one planning pass."""

    def __init__(self, market: Market):
        self.market = market
        self.free = [FreeTime(gaps, market.asks) for gaps in market._gaps]

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
        for c in self.market.eligible_classes(bid):
            rows, earliest, latest = self.free[c].fitting(first, last, bid.duration, bid.price)
            if len(rows):
                parts.append((c, rows, earliest, latest))
        if sum(len(p[1]) for p in parts) < quantity:
            return None
        if len(parts) == 1:
            c, rows, earliest, latest = parts[0]
            free = self.free[c]
            cls = np.full(len(rows), c)
            asks, offers = free.ask[rows], free.offer[rows]
            length = free.end[rows] - free.start[rows]
        else:
            cls = np.concatenate([np.full(len(p[1]), p[0]) for p in parts])
            rows = np.concatenate([p[1] for p in parts])
            asks = np.concatenate([self.free[p[0]].ask[p[1]] for p in parts])
            offers = np.concatenate([self.free[p[0]].offer[p[1]] for p in parts])
            length = np.concatenate(
                [self.free[p[0]].end[p[1]] - self.free[p[0]].start[p[1]] for p in parts]
            )
            if first != last:
                earliest = np.concatenate([p[2] for p in parts])
                latest = np.concatenate([p[3] for p in parts])

        # Cheapest nodes first; among equally cheap ones, the gap that is used up most
        # (best fit), so long gaps stay whole for long bids.
        preference = np.lexsort(
            (length, asks) if prefer is None else (length, asks, ~prefer[offers])
        )
        if first == last:
            start, chosen = first, preference[:quantity]
        else:
            earliest, latest = earliest[preference], latest[preference]
            start = _cheapest_start(earliest, latest, asks[preference], quantity)
            if start is None:
                return None
            chosen = preference[(earliest <= start) & (latest >= start)][:quantity]

        end = start + bid.duration
        for i in chosen:
            self.free[cls[i]].take(rows[i], start, end)
        return Allocation(bid, float(start), tuple(sorted(offers[chosen].tolist())))


def _cheapest_start(earliest: np.ndarray, latest: np.ndarray, asks: np.ndarray, quantity: int):
    """The start where the `quantity` cheapest rows free together cost least (earliest
    among equals); None if no start has enough. Rows come in preference order; row i
    can start anywhere in [earliest_i, latest_i].

    Only left ends need trying: the rows free at any t are also free at the last left
    end before t.
    """
    candidates = np.unique(earliest)
    if len(candidates) > 1:
        candidates = _enough_rows_free(candidates, earliest, latest, quantity)
    if len(candidates) == 0:
        return None
    if len(candidates) == 1:
        free = (earliest <= candidates[0]) & (latest >= candidates[0])
        return float(candidates[0]) if free.sum() >= quantity else None
    # Keep the (candidates x rows) table small on big books: thin out the starts.
    limit = max(8, 200_000 // len(asks))
    if len(candidates) > limit:
        candidates = candidates[
            np.unique(np.linspace(0, len(candidates) - 1, limit).round().astype(int))
        ]
    free = (earliest[None, :] <= candidates[:, None]) & (latest[None, :] >= candidates[:, None])
    taken = free & (np.cumsum(free, axis=1) <= quantity)
    cost = taken @ asks
    cost[taken.sum(axis=1) < quantity] = np.inf
    best = int(np.argmin(cost))
    return float(candidates[best]) if np.isfinite(cost[best]) else None


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
