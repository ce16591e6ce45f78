"""One clearing round of the FLOCX auction: the top of the auction core.

Pure Python/numpy: no OpenStack imports, so the auction service, the benches and
the tests all drive the same code.
"""

from __future__ import annotations

import time

from flocx_auction.book import HOUR, RoundResult, contract_welfare, is_due
from flocx_auction.matching import Market
from flocx_auction.mechanisms import load
from flocx_auction.mechanisms.base import Mechanism


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

    A round in which no bid is due makes no plan (it would commit nothing). Due
    bids are planned together with the open bids that compete with them, directly
    or through others (see planner.plan_online); the rest of the book only greedily.
    """
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
    if due:
        market.due = due
        # (The mechanism's clearing prices are of its whole plan; the round
        # publishes those of what it commits: _published_prices.)
        planned, _plan_prices = mech.run(market, live_bids)
    else:
        # Nothing would be committed: a plan now would be thrown away.
        planned = []

    awards = [a for a in planned if a.bid_uuid in due]
    awarded = {a.bid_uuid for a in awards}
    rejected = expired_bids + sorted(u for u in due if u not in awarded)

    bid_by_uuid = {b.uuid: b for b in live_bids}
    asks = {o.uuid: o.price for o in live_offers}
    welfare = sum(contract_welfare(a, bid_by_uuid[a.bid_uuid], asks) for a in awards)
    planned_welfare = sum(contract_welfare(a, bid_by_uuid[a.bid_uuid], asks) for a in planned)

    return RoundResult(
        awards=awards,
        rejected=rejected,
        expired_offers=expired_offers,
        welfare=welfare,
        clearing_prices=_published_prices(awards, live_offers),
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


def _published_prices(awards, offers) -> dict[str, float]:
    """Per resource class, the highest ask among the nodes this round commits.

    The mechanisms' rule (`supply_prices`: asks only, so no bid is revealed),
    over what trades now: the mechanism prices the whole plan, in which a bid
    not yet due may hold a node it will never get (seen: a class published
    at 1.0 where the highest ask that traded was 0.5).
    """
    by_uuid = {o.uuid: o for o in offers}
    prices: dict[str, float] = {}
    for a in awards:
        for uuid, _ in a.nodes:
            offer = by_uuid[uuid]
            prices[offer.resource_class] = max(
                prices.get(offer.resource_class, offer.price), offer.price)
    return prices
