"""The order book and one clearing round of the FLOCX auction.

Pure Python/numpy: no OpenStack imports, so the auction service, the benches and
the tests all drive the same code.

Times are float epoch seconds (UTC); prices are per node-hour.
"""

from __future__ import annotations

import dataclasses
import operator
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flocx_auction.mechanisms.base import Mechanism

HOUR = 3600.0


@dataclasses.dataclass(frozen=True)
class Constraint:
    """A bid's requirement on one hardware property, e.g. ("cpus", ">=", 16)."""

    property: str
    op: str
    value: object

    def holds(self, properties: Mapping) -> bool:
        """A missing property never satisfies a constraint, whatever the op."""
        if self.property not in properties:
            return False
        have = properties[self.property]
        try:
            if self.op == "has":
                return self.value in have
            if self.op == "in":
                return have in self.value
            return _COMPARISONS[self.op](have, self.value)
        except TypeError:
            # e.g. "cpus" < "a lot": incomparable values simply do not match.
            return False


_COMPARISONS = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
OPS = frozenset(_COMPARISONS) | {"in", "has"}


@dataclasses.dataclass(frozen=True)
class Offer:
    """One node offered from `start` to `end` at `price` (the ask)."""

    uuid: str
    project_id: str
    resource_class: str
    properties: Mapping
    start: float
    end: float
    price: float
    busy: tuple = ()  # ((start, end), ...) already contracted in earlier rounds


@dataclasses.dataclass(frozen=True)
class Bid:
    """`quantity` nodes, all or nothing, for `duration` seconds, starting anywhere in
    [start, latest_start], at up to `price` per node-hour."""

    uuid: str
    project_id: str
    quantity: int
    resource_class: str | None
    constraints: tuple[Constraint, ...]
    start: float
    latest_start: float
    duration: float
    price: float
    decide_by: float | None
    created_at: float


@dataclasses.dataclass(frozen=True)
class Award:
    """One contract."""

    bid_uuid: str
    start: float
    end: float
    price: float  # what the renter pays per node-hour
    nodes: tuple[tuple[str, float], ...]  # (offer_uuid, what that owner receives per node-hour)


@dataclasses.dataclass
class RoundResult:
    awards: list[Award]
    rejected: list[str]  # bid uuids answered "no" this round
    expired_offers: list[str]
    welfare: float  # of committed awards
    clearing_prices: dict[str, float]  # resource_class -> price, for classes that traded
    stats: dict


def answer_due_at(bid: Bid, answer_before_start: float) -> float:
    """When the engine must have answered `bid` at the latest.

    The engine holds a bid so that competing bids can be weighed together, but the
    renter needs to know `answer_before_start` seconds before the earliest start it
    asked for, and never later than its own `decide_by`.
    """
    due = bid.start - answer_before_start
    if bid.decide_by is not None:
        due = min(due, bid.decide_by)
    return due


def is_due(
    bid: Bid, now: float, answer_before_start: float, next_round: float | None = None
) -> bool:
    """Due if its answer cannot wait for the next round.

    Without `next_round` the caller promises to run rounds often enough that
    answering in the first round at or after the due time is in time.
    """
    deadline = now if next_round is None else max(now, next_round)
    return answer_due_at(bid, answer_before_start) <= deadline


def contract_welfare(award: Award, bid: Bid, asks: Mapping[str, float]) -> float:
    """(bid price - ask) x hours, summed over the contract's nodes."""
    hours = (award.end - award.start) / HOUR
    return sum((bid.price - asks[uuid]) * hours for uuid, _ in award.nodes)


def clear_round(
    offers,
    bids,
    now: float,
    mechanism: str | Mechanism = "welfare",
    answer_before_start: float = 43200.0,
    next_round: float | None = None,
) -> RoundResult:
    """Clear one round of the market.

    Plans over every open bid, but commits contracts only for the bids that are due
    now; due bids the plan cannot serve are rejected, the others stay in the book
    for a later round. `next_round` (optional) is when the caller will run the next
    round: bids whose answer cannot wait until then count as due now.
    """
    # Imported here because the mechanisms import this module for the data types.
    from flocx_auction.matching import Market
    from flocx_auction.mechanisms import load

    began = time.perf_counter()
    mech = load(mechanism) if isinstance(mechanism, str) else mechanism

    # Sorting makes the result independent of the order the caller lists orders in.
    offers = sorted(offers, key=lambda o: o.uuid)
    bids = sorted(bids, key=lambda b: b.uuid)

    expired_offers = [o.uuid for o in offers if o.end <= now]
    live_offers = [o for o in offers if o.end > now]
    # A bid that can no longer start, or whose deadline has passed, gets its "no" now.
    expired_bids = [
        b.uuid
        for b in bids
        if b.latest_start < now or (b.decide_by is not None and b.decide_by < now)
    ]
    expired = set(expired_bids)
    live_bids = [b for b in bids if b.uuid not in expired]
    if mech.answers_on_arrival:
        due = {b.uuid for b in live_bids}
    else:
        due = {b.uuid for b in live_bids if is_due(b, now, answer_before_start, next_round)}

    market = Market(live_offers, now)
    planned, clearing_prices = mech.run(market, live_bids)

    awards = [a for a in planned if a.bid_uuid in due]
    awarded = {a.bid_uuid for a in awards}
    rejected = expired_bids + sorted(u for u in due if u not in awarded)

    bid_by_uuid = {b.uuid: b for b in live_bids}
    asks = {o.uuid: o.price for o in live_offers}
    welfare = sum(contract_welfare(a, bid_by_uuid[a.bid_uuid], asks) for a in awards)
    planned_welfare = sum(contract_welfare(a, bid_by_uuid[a.bid_uuid], asks) for a in planned)
    traded = {market.class_of_award(a) for a in awards}

    return RoundResult(
        awards=awards,
        rejected=rejected,
        expired_offers=expired_offers,
        welfare=welfare,
        clearing_prices={c: p for c, p in clearing_prices.items() if c in traded},
        stats={
            "mechanism": mech.name,
            "offers": len(live_offers),
            "hardware_classes": len(market.classes),
            "bids": len(live_bids),
            "due": len(due),
            "planned_contracts": len(planned),
            "planned_welfare": planned_welfare,
            "node_hours": sum(len(a.nodes) * (a.end - a.start) / HOUR for a in awards),
            "seconds": time.perf_counter() - began,
            **market.stats,
        },
    )
