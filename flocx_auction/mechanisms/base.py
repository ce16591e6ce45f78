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

    Sealed bids: a contract has two prices. The renter pays `Award.price`; each
    owner receives its node's price in `Award.nodes`, which every built-in
    mechanism sets to the owner's own ask (`sealed_award`), so nothing an owner
    is paid depends on any bid. The spread is the operator's. The published
    clearing price of a class is `supply_prices`: the highest ask that traded,
    again computed from asks only. doc/source/admin/mechanisms.rst says, per
    mechanism, what each party can infer.
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
        awards, prices = self.price(market, self.allocate(market, bids))
        # The market writes contracts (and their events) in this order; in
        # the planner's or a price rule's order it would rank the bids by
        # price for anyone who sees when its contracts were made. A bid's
        # uuid is random.
        return sorted(awards, key=lambda a: a.bid_uuid), prices

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


def sealed_award(market: Market, allocation: Allocation, price: float) -> Award:
    """A contract where the renter pays `price` and every owner receives its own ask.

    What an owner is paid is then a function of its ask alone: from it, the owner
    learns no more about the renter's bid than that the bid was at least that ask,
    which the contract itself tells (individual rationality). The renter's price
    is never below an ask of its nodes, so the operator's spread is never negative.
    """
    return Award(
        bid_uuid=allocation.bid.uuid,
        start=allocation.start,
        end=allocation.end,
        price=price,
        nodes=tuple(
            (market.offers[i].uuid, float(market.offers[i].price)) for i in allocation.offers
        ),
    )


def supply_prices(market: Market, allocations) -> dict[str, float]:
    """Per resource class, the highest ask that traded: the clearing price to publish.

    It is computed from asks only, so publishing it reveals no bid (an average of
    the prices renters paid would: with a few contracts, a renter who knows its own
    price recovers the others').
    """
    prices: dict[str, float] = {}
    # By each node's own class: a contract may span classes (a bid with
    # constraints only), and a class's price is never another class's ask.
    for a in allocations:
        for i in a.offers:
            offer = market.offers[i]
            if offer.price > prices.get(offer.resource_class, -np.inf):
                prices[offer.resource_class] = float(offer.price)
    return prices


def award(market: Market, allocation: Allocation, price: float) -> Award:
    """A contract where the renter pays `price` and every owner receives it too.

    Not sealed: an owner who knows this rule and its ask can work out the bid
    from its receipt. The built-in mechanisms use `sealed_award`.
    """
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
