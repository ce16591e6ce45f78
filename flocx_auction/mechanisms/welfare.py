"""Welfare-maximizing allocation, one uniform clearing price per resource class."""

from __future__ import annotations

import numpy as np

from flocx_auction.mechanisms.base import (
    Mechanism,
    award,
    by_resource_class,
    max_ask,
    weighted_median,
)


class WelfareMechanism(Mechanism):
    """Maximize welfare; everybody in a resource class trades at one price.

    - Efficiency: the planner's allocation (greedy by value density, improved by
      local search / exact solve on small books); see bench/RESULTS.md.
    - Price: per resource class, the midpoint between the highest accepted ask and
      the lowest winning bid. When no single price separates them (bids and asks
      of a class interleave, which time windows make possible) the class price is the
      node-hour weighted median of the contracts' own midpoints, and a contract whose
      own [highest ask, bid] range excludes it trades at the nearest end of that range.
    - IR: yes, by that clipping. Budget: exactly balanced (owners receive what the
      renter pays). Truthful: no, a winner's bid can move the class price.
    - Monotone: yes for the greedy plan; see `monotone` notes in the docs.
    """

    name = "welfare"

    def price(self, market, allocations):
        awards, prices = [], {}
        for cls, group in by_resource_class(market, allocations).items():
            asks = np.array([max_ask(market, a) for a in group])
            bids = np.array([a.bid.price for a in group])
            if asks.max() <= bids.min():
                clearing = (asks.max() + bids.min()) / 2
            else:
                weights = [len(a.offers) * a.bid.duration for a in group]
                clearing = weighted_median((asks + bids) / 2, weights)
            prices[cls] = float(clearing)
            for a, low, high in zip(group, asks, bids):
                awards.append(award(market, a, float(min(max(clearing, low), high))))
        return awards, prices
