"""The welfare planner: which open bids to serve, on which nodes, when.

Three tiers, by book size, each keeping the best plan found so far:

1. Greedy by estimated contract value (matching.greedy): fast enough for 100k bids.
2. Up to LP_MAX_BIDS bids: LP-guided rounding. Solve the LP relaxation of
   optimal.py, then place bids greedily in order of how much the LP serves them,
   at the LP's start and on the LP's nodes first.
3. Up to SUPPORT_MAX_BIDS bids, instead: the integer program over the bid starts
   the LP relaxation uses, keeping those it serves in full, stopped at the first
   plan within SUPPORT_GAP of its bound (about 3 s at 1k bids, 0.97 of the LP).
4. Up to EXACT_MAX_BIDS bids: the exact ILP (HiGHS), which on such books usually
   proves optimality within a second.
"""

from __future__ import annotations

import numpy as np

from flocx_auction import optimal
from flocx_auction.matching import Allocation, Market, greedy

EXACT_MAX_BIDS = 300
SUPPORT_MAX_BIDS = 1000
SUPPORT_GAP = 0.03
LP_MAX_BIDS = 3000
# A safety net only: HiGHS normally finishes long before. A solve stopped by the
# clock could differ between machines, so a book that hits it is not deterministic.
TIME_LIMIT = 20.0


def _components(market: Market, bids) -> np.ndarray:
    """A component id per bid: two bids share one when a chain of bids links them in
    which each competes with the next (a hardware class both could use, during
    time both could hold). Bids of different components never want the same node
    at the same time, so each component's best plan is independent of the others."""
    parent = list(range(len(bids)))

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    by_class: dict[int, list] = {}
    for i, bid in enumerate(bids):
        first = max(bid.start, market.now)
        last = bid.latest_start + bid.duration
        for c in market.eligible_classes(bid):
            by_class.setdefault(c, []).append((first, last, i))
    for spans in by_class.values():
        spans.sort()
        reach, group = -np.inf, None
        for first, last, i in spans:
            if first < reach:
                parent[root(i)] = root(group)
            else:
                group = i
            reach = max(reach, last)
    return np.array([root(i) for i in range(len(bids))], dtype=np.int64)


def plan_online(market: Market, bids, time_limit: float = TIME_LIMIT,
                exact: bool = True) -> list[Allocation]:
    """The welfare plan of a round that commits only the bids due now
    (`market.due`; None: every bid is due, and this is plan_welfare).

    Only the bids that compete with a due bid, directly or through a chain of
    others (see _components), can change what is committed now: they are planned
    by plan_welfare (the exact tiers on round-sized books); the rest of the book,
    whose plan is thrown away at the end of the round anyway, greedily.
    """
    bids = list(bids)
    if market.due is None or all(b.uuid in market.due for b in bids):
        return plan_welfare(market, bids, exact=exact, time_limit=time_limit)
    # A bid that cannot be served even alone is in no plan: left out, it links
    # no components (due, it is rejected). Bids only: the book's own nodes
    # may gain free time in a later round (new offers), not in this one.
    bids = [b for b in bids if market.may_fit(b)]
    if not any(b.uuid in market.due for b in bids):
        return []
    component = _components(market, bids)
    wanted = {component[i] for i, b in enumerate(bids) if b.uuid in market.due}
    relevant = [b for b, c in zip(bids, component) if c in wanted]
    others = [b for b, c in zip(bids, component) if c not in wanted]
    plan = plan_welfare(market, relevant, exact=exact, time_limit=time_limit)
    if others:
        plan = sorted(plan + greedy(market, others), key=lambda a: a.bid.uuid)
    return plan


def plan_welfare(market: Market, bids, exact: bool = True, time_limit: float = TIME_LIMIT) -> list[Allocation]:
    bids = list(bids)
    best = greedy(market, bids)
    if not exact or not bids or len(bids) > LP_MAX_BIDS:
        return best


    candidates = []
    if len(bids) <= EXACT_MAX_BIDS:
        solution = optimal.solve(
            market, bids, starts=optimal.boundary_starts, time_limit=time_limit, tight=True,
            rival_columns=True, conflicts=True, branch_on_bids=True,
        )
        candidates.append(solution.allocations)
    elif len(bids) <= SUPPORT_MAX_BIDS:
        solution = optimal.solve(
            market,
            bids,
            starts=optimal.boundary_starts,
            lp_support_only=True,
            fix_integral=True,
            gap=SUPPORT_GAP,
            time_limit=time_limit,
        )
        candidates.append(solution.allocations)
    else:
        relaxation = optimal.solve(
            market, bids, starts=optimal.boundary_starts, relax=True, time_limit=time_limit
        )
        if relaxation.served:
            candidates.append(follow_relaxation(market, bids, relaxation.served))
    best_welfare = sum(market.welfare(a) for a in best)
    for plan in candidates:
        welfare = sum(market.welfare(a) for a in plan)
        if welfare > best_welfare + 1e-9:
            best, best_welfare = plan, welfare
    return sorted(best, key=lambda a: a.bid.uuid)


def follow_relaxation(market: Market, bids, served: dict) -> list[Allocation]:
    """Round an LP solution: bids the LP serves most go first, at the LP's start and
    on the LP's nodes when they are still free; everything else greedily after."""

    def fraction(bid):
        return round(served[bid.uuid][0], 3) if bid.uuid in served else 0.0

    schedule = market.schedule()
    placed = []
    for bid in sorted(bids, key=lambda b: (-fraction(b), market.by_estimated_value(b))):
        allocation = None
        if fraction(bid) > 0:
            _, start, offers = served[bid.uuid]
            prefer = np.zeros(len(market.offers), dtype=bool)
            prefer[offers] = True
            allocation = schedule.place(bid, at=start, prefer=prefer)
        if allocation is None:
            allocation = schedule.place(bid)
        if allocation is not None:
            placed.append(allocation)
    return placed
