"""Welfare-maximizing allocation, one uniform price per resource class."""

from __future__ import annotations

from flocx_auction.mechanisms.base import (
    Mechanism,
    by_resource_class,
    max_ask,
    sealed_award,
    supply_prices,
)


class WelfareMechanism(Mechanism):
    """Maximize welfare; every renter of a resource class pays one price.

    - Efficiency: the planner's allocation (greedy by value density, improved by
      local search / exact solve on small books); see bench/RESULTS.md.
    - Price: renters of a resource class pay the class's highest accepted ask (a
      uniform price that no bid sets, so it reveals no bid). When bids and asks of
      a class interleave (time windows make that possible) a renter whose bid is
      below that price pays its bid. Each owner receives its own ask.
    - IR: yes. Budget: never a deficit; the spread between the class price and
      each owner's ask is the operator's.
    - Sealed: an owner learns only that the bid was at least its ask; a renter
      learns the highest accepted ask of its class, nothing about other bids.
    - Truthful for renters as long as the class price does not bind (a winner's
      bid does not set its price); not for owners, who are paid their ask.
    """

    name = "welfare"

    def price(self, market, allocations):
        prices = supply_prices(market, allocations)
        awards = []
        for cls, group in by_resource_class(market, allocations).items():
            for a in group:
                # Never above the bid (IR); never below its own nodes' asks,
                # which the bid covers because the plan only serves such bids.
                paid = max(min(prices[cls], a.bid.price), max_ask(market, a))
                awards.append(sealed_award(market, a, paid))
        return awards, prices
