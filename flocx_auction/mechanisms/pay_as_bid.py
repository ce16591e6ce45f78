"""Pay-as-bid: each side trades at its own price (baseline)."""

from __future__ import annotations

from flocx_auction.book import Award
from flocx_auction.mechanisms.base import Mechanism, average_prices


class PayAsBidMechanism(Mechanism):
    """Renters pay their bid, owners receive their ask, the difference stays with
    the market operator.

    - Efficiency: same plan as `welfare` on the submitted prices (but renters have
      every reason to shade bids, so real welfare is lower).
    - Truthful: no. IR: yes. Budget: surplus (never a deficit).
    """

    name = "pay_as_bid"

    def price(self, market, allocations):
        awards = [
            Award(
                bid_uuid=a.bid.uuid,
                start=a.start,
                end=a.end,
                price=a.bid.price,
                nodes=tuple((market.offers[i].uuid, float(market.asks[i])) for i in a.offers),
            )
            for a in allocations
        ]
        return awards, average_prices(market, awards)
