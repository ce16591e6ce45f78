"""The order book's types: offers, bids, contracts, and when a bid is due.

The bottom of the auction core: it imports nothing of flocx_auction. Above it,
matching.py (free time, greedy), optimal.py (ILP/LP), planner.py, the mechanisms,
and clearing.py (one round), in that order.

Times are float epoch seconds (UTC); prices are per node-hour.
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Mapping
HOUR = 3600.0
# The offer property that names the cloud of an offer's node (the market writes
# it); offers without it are all of one unnamed cloud.
CLOUD = "cloud"


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
    [start, latest_start], at up to `price` per node-hour.

    All its nodes come from offers of one cloud (offer property `cloud`) unless
    `span_clouds` is true; a bid of one node needs no such rule."""

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
    span_clouds: bool = False


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
