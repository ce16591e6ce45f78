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


def whole_pool_book(seed, nodes_per_class=6, n_bids=14):
    """Every node its own ask (single-node pools, as on the CloudLab replays), bids
    for most or all of a class or for any class, some never at the same time."""
    rng = np.random.default_rng([41, seed])
    offers = [
        offer(f"o{c}{i}", 0, 200, float(rng.uniform(1, 2)), rc, {"rc": rc})
        for c, rc in enumerate(CLASSES)
        for i in range(nodes_per_class)
    ]
    bids = []
    for i in range(n_bids):
        start = int(rng.integers(0, 150))
        bids.append(bid(
            f"b{i:03d}",
            quantity=int(rng.choice([1, 2, nodes_per_class - 1, nodes_per_class])),
            start=start,
            latest=start + int(rng.choice([0, 0, 4])),
            duration=int(rng.integers(2, 48)),
            price=float(rng.uniform(1.5, 4)),
            rc=[None, *CLASSES][int(rng.integers(3))],
            decide_by=0,
        ))
    return offers, bids


@pytest.mark.parametrize("seed", range(8))
def test_the_exact_tiers_reductions_keep_the_optimum(seed):
    """Node columns for a bid's rivals only, and rows for pairs of bids that cannot
    both be served: a smaller, tighter model with the same optimum."""
    offers, bids = whole_pool_book(seed)
    market = Market(offers, h(0))
    full = optimal.solve(market, bids, tight=True, gap=1e-9)
    reduced = optimal.solve(market, bids, tight=True, gap=1e-9, rival_columns=True,
                            conflicts=True)
    assert reduced.welfare == pytest.approx(full.welfare, rel=1e-7)
    assert reduced.variables <= full.variables
    # As the planner's exact tier solves it: branching on bid starts only.
    branched = optimal.solve(market, bids, tight=True, gap=1e-9, rival_columns=True,
                             conflicts=True, branch_on_bids=True)
    assert branched.welfare == pytest.approx(full.welfare, rel=1e-7)
    assert sum(market.welfare(a) for a in branched.allocations) == pytest.approx(
        full.welfare, rel=1e-7)


def test_branch_on_bids_solves_the_integer_program_when_nodes_come_out_split(monkeypatch):
    """If the optimum with continuous node columns splits a node between bids, it
    is no plan: the integer program is solved, as without the option."""
    offers, bids = whole_pool_book(0)
    market = Market(offers, h(0))
    milp = optimal.scipy.optimize.milp
    calls = []

    def split_a_node(cost, integrality, **kwargs):
        result = milp(cost, integrality=integrality, **kwargs)
        calls.append(integrality.copy())
        if len(calls) == 1:
            n_y = int(integrality.sum())
            result.x[n_y] = 0.5  # the first node column
        return result

    monkeypatch.setattr(optimal.scipy.optimize, "milp", split_a_node)
    solution = optimal.solve(market, bids, tight=True, branch_on_bids=True)
    monkeypatch.undo()
    assert len(calls) == 2
    assert calls[1].sum() > calls[0].sum()  # node columns integer the second time
    assert solution.welfare == pytest.approx(optimal.solve(market, bids, tight=True).welfare)


def test_rival_columns_make_a_smaller_model_when_bids_never_meet():
    offers = [offer(f"o{i}", 0, 100, 1 + i / 10) for i in range(8)]
    # Four one-node bids that never run at the same time: each can only ever be
    # kept off its cheapest node by itself.
    bids = [bid(f"b{i}", start=20 * i, duration=10, price=5, decide_by=0) for i in range(4)]
    market = Market(offers, h(0))
    full = optimal.solve(market, bids)
    reduced = optimal.solve(market, bids, rival_columns=True)
    assert reduced.welfare == pytest.approx(full.welfare)
    assert reduced.variables < full.variables
    assert all(a.offers == (0,) for a in reduced.allocations)


def test_conflicts_are_the_pairs_that_lack_nodes_together():
    # y columns: 0 and 1 overlap, each may use 4 nodes and needs 3 of them (6 > 4:
    # a conflict); 2 overlaps 1 but needs 1 node (4 = 4: no conflict); 3 needs 3
    # but runs after the others.
    y_bid = np.array([0, 1, 2, 3])
    y_start = np.array([0.0, 5.0, 8.0, 50.0])
    duration = np.array([10.0, 10.0, 10.0, 10.0])
    quantity = np.array([3, 3, 1, 3])
    z_y = np.repeat(np.arange(4), 4)
    z_gap = np.tile(np.arange(4), 4)
    pairs = optimal._conflicts(y_bid, y_start, z_y, z_gap, np.ones(16), duration, quantity)
    assert pairs.tolist() == [[0, 1]]
