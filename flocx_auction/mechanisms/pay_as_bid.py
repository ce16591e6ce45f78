"""Pay-as-bid: each side trades at its own price (baseline)."""

from __future__ import annotations

from flocx_auction.mechanisms.base import Mechanism, sealed_award, supply_prices


class PayAsBidMechanism(Mechanism):
    """Renters pay their bid, owners receive their ask, the difference stays with
    the market operator.

    - Efficiency: same plan as `welfare` on the submitted prices (but renters have
      every reason to shade bids, so real welfare is lower).
    - Truthful: no. IR: yes. Budget: surplus (never a deficit).
    - Sealed: the renter's price is its bid, so it is shown to the renter only;
      owners learn only that the bid was at least their ask.
    """

    name = "pay_as_bid"

    def price(self, market, allocations):
        awards = [sealed_award(market, a, a.bid.price) for a in allocations]
        return awards, supply_prices(market, allocations)
