"""The engine against the exact optimum on small books."""

import numpy as np
import pytest

from flocx_auction import optimal
from flocx_auction.clearing import clear_round
from flocx_auction.matching import Market, greedy

from .helpers import bid, h, offer

CLASSES = ["bm.a", "bm.b"]


def random_book(seed, n_offers=24, n_bids=40):
    """Racks of identical nodes, multi-node bids, whole hours, all due now."""
    rng = np.random.default_rng(seed)
    offers = []
    while len(offers) < n_offers:
        rc = CLASSES[rng.integers(2)]
        start = int(rng.integers(0, 24))
        end = start + int(rng.integers(24, 72))
        ask = float(rng.uniform(1, 2))
        for _ in range(int(rng.integers(1, 5))):
            offers.append(offer(f"o{len(offers):03d}", start, end, ask, rc, {"rc": rc}))
    bids = []
    for i in range(n_bids):
        start = int(rng.integers(0, 60))
        bids.append(
            bid(
                f"b{i:03d}",
                quantity=int(rng.choice([1, 1, 2, 3, 6])),
                start=start,
                latest=start + int(rng.choice([0, 0, 3])),
                duration=int(rng.integers(2, 30)),
                price=float(rng.uniform(1, 4)),
                rc=CLASSES[rng.integers(2)],
                decide_by=0,
            )
        )
    return offers, bids


@pytest.mark.parametrize("seed", range(5))
def test_welfare_at_least_98_percent_of_the_optimum(seed):
    offers, bids = random_book(seed)
    best = optimal.solve(Market(offers, h(0)), bids)
    assert best.status.startswith("Optimization terminated successfully")
    result = clear_round(offers, bids, h(0), "welfare")
    assert result.welfare >= 0.98 * best.welfare
    assert result.welfare <= best.welfare + 1e-6


def test_the_books_are_contested():
    """The yardstick means something: the greedy alone misses the optimum somewhere."""
    shortfalls = []
    for seed in range(5):
        offers, bids = random_book(seed)
        market = Market(offers, h(0))
        best = optimal.solve(market, bids).welfare
        shortfalls.append(best - sum(market.welfare(a) for a in greedy(market, bids)))
    assert max(shortfalls) > 0


def test_lp_bounds_the_ilp():
    offers, bids = random_book(7)
    market = Market(offers, h(0))
    assert (
        optimal.solve(market, bids, relax=True).welfare
        >= optimal.solve(market, bids).welfare - 1e-6
    )


def test_optimal_layout_never_double_books():
    offers, bids = random_book(3)
    solution = optimal.solve(Market(offers, h(0)), bids)
    used = {}
    for a in solution.allocations:
        assert len(a.offers) == a.bid.quantity
        for i in a.offers:
            used.setdefault(i, []).append((a.start, a.start + a.bid.duration))
            o = offers[i]
            assert o.start <= a.start and a.start + a.bid.duration <= o.end
    for intervals in used.values():
        intervals.sort()
        assert all(e <= s for (_, e), (s, _) in zip(intervals, intervals[1:]))
