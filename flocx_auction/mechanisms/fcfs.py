"""First come, first served: the baseline every other mechanism is measured against."""

from __future__ import annotations

from flocx_auction.matching import by_arrival, greedy
from flocx_auction.mechanisms.base import Mechanism, max_ask, sealed_award, supply_prices


class FirstComeFirstServedMechanism(Mechanism):
    """Answer every bid in the round after it arrives, in arrival order, on the
    cheapest nodes that fit; what a reservation system without prices does.

    - Efficiency: none beyond arrival order; a cheap early bid blocks a valuable
      later one.
    - Price: each renter pays the midpoint of its bid and its nodes' highest ask;
      each owner receives its own ask; the spread is the operator's.
    - IR: yes. Budget: never a deficit. Truthful: no (but the price barely matters
      for who wins: only whether the bid clears the asks).
    - Sealed: owners learn only that the bid was at least their ask (they are
      not shown the renter's price, from which the bid would follow).
    """

    name = "fcfs"
    answers_on_arrival = True

    def allocate(self, market, bids):
        return greedy(market, bids, order=by_arrival)

    def price(self, market, allocations):
        awards = [
            sealed_award(market, a, (a.bid.price + max_ask(market, a)) / 2) for a in allocations
        ]
        return awards, supply_prices(market, allocations)
