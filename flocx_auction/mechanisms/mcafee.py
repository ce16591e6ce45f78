"""McAfee-style trade reduction: the marginal trade of each class is sacrificed."""

from __future__ import annotations

from flocx_auction.mechanisms.base import (
    Mechanism,
    by_resource_class,
    max_ask,
    sealed_award,
    supply_prices,
)


class McAfeeMechanism(Mechanism):
    """Drop the lowest winning bid of each resource class and let it set the price.

    - Efficiency: the welfare plan minus one contract per resource class (all of it
      when a class has a single winner), so it loses the most in thin markets.
    - Truthfulness: a renter's price is the dropped bid's (or its nodes' highest
      ask), never its own bid, so shading a bid cannot lower what it pays, only risk
      losing. Strictly strategy-proof only in the classic single-class unit-demand
      case; with all-or-nothing multi-node bids and time windows the greedy plan is
      monotone but the dropped price is not always the exact critical value.
    - Price: renters pay the dropped bid (or their nodes' highest ask if higher);
      each owner receives its own ask; the spread is the operator's.
    - IR: yes. Budget: never a deficit.
    - Sealed: owners learn only that the bid was at least their ask. The winners
      of a class learn the dropped bid from their own price: that is what makes
      the mechanism truthful, and the one bid it reveals, to them only. The
      published class price is the highest ask that traded, not the dropped bid.
    """

    name = "mcafee"

    def price(self, market, allocations):
        awards, traded = [], []
        for _cls, group in by_resource_class(market, allocations).items():
            group = sorted(group, key=lambda a: (a.bid.price, a.bid.uuid))
            dropped, winners = group[0], group[1:]
            for a in winners:
                # Never below an ask of its own nodes; never above its bid because
                # its bid is at least the dropped one and at least its asks.
                paid = max(dropped.bid.price, max_ask(market, a))
                awards.append(sealed_award(market, a, paid))
                traded.append(a)
        return awards, supply_prices(market, traded)
