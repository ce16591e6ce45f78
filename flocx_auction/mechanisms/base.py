"""What every mechanism is, and the pricing helpers they share."""

from __future__ import annotations

import abc

import numpy as np

from flocx_auction.book import HOUR, Award
from flocx_auction.matching import Allocation, Market
from flocx_auction.planner import TIME_LIMIT, plan_online


class Mechanism(abc.ABC):
    """A way to decide who trades and at what price.

    The round calls `run(market, bids)` with every open bid and gets back the
    planned contracts of all of them, priced, plus a clearing price per resource
    class; the round then commits the contracts of the bids that are due.

    Promises every mechanism keeps (and the property tests check):
    individual rationality (a renter never pays above its bid, an owner never gets
    below its ask) and no deficit (renters pay at least what owners receive).
    """

    name = "base"
    # True: every bid is answered in the first round after it arrives.
    answers_on_arrival = False
    # True: raising a bid's price never turns a win into a loss (tested).
    monotone = True
    # Longest a round may spend in the solver (the service sets it from
    # [auction] solver_time_limit); greedy's plan stands if it runs out.
    time_limit = TIME_LIMIT
    # False: the greedy plan alone (no LP/ILP tier).
    exact = True

    def run(self, market: Market, bids) -> tuple[list[Award], dict[str, float]]:
        return self.price(market, self.allocate(market, bids))

    def allocate(self, market: Market, bids) -> list[Allocation]:
        return plan_online(
            market,
            bids,
            time_limit=self.time_limit,
            exact=self.exact,
        )

    @abc.abstractmethod
    def price(
        self, market: Market, allocations: list[Allocation]
    ) -> tuple[list[Award], dict[str, float]]:
        """Price the planned allocations: awards and clearing prices."""


def max_ask(market: Market, allocation: Allocation) -> float:
    # Plain Python: a numpy gather costs more than it saves on a few nodes.
    return float(max(market.offers[i].price for i in allocation.offers))


def award(market: Market, allocation: Allocation, price: float) -> Award:
    """A contract where the renter pays `price` and every owner receives it too."""
    return Award(
        bid_uuid=allocation.bid.uuid,
        start=allocation.start,
        end=allocation.end,
        price=price,
        nodes=tuple((market.offers[i].uuid, price) for i in allocation.offers),
    )


def by_resource_class(market: Market, allocations) -> dict[str, list[Allocation]]:
    groups: dict[str, list[Allocation]] = {}
    for a in allocations:
        groups.setdefault(market.resource_class(a), []).append(a)
    return groups


def average_prices(market: Market, awards: list[Award]) -> dict[str, float]:
    """Node-hour weighted average price paid per resource class."""
    paid: dict[str, list[float]] = {}
    for a in awards:
        weight = len(a.nodes) * (a.end - a.start) / HOUR
        paid.setdefault(market.class_of_award(a), []).append((a.price * weight, weight))
    return {c: sum(p for p, _ in v) / sum(w for _, w in v) for c, v in paid.items()}


def weighted_median(values, weights) -> float:
    order = np.argsort(values, kind="stable")
    values, weights = np.asarray(values)[order], np.asarray(weights)[order]
    cumulative = np.cumsum(weights)
    return float(values[np.searchsorted(cumulative, cumulative[-1] / 2)])
