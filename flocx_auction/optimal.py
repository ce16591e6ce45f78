"""Exact welfare optimum (ILP) and its LP relaxation, with scipy's HiGHS.

Used by the benches and tests as the yardstick, and by the planner on small books.

Formulation. Offers with the same hardware class, ask and free intervals form a
pool of interchangeable nodes. For every bid b, candidate start s and pool k
that can host [s, s + d_b] there is an integer z[b,s,k] (nodes of k given to b at
s) and a binary y[b,s] (b served at s):

    max  sum (price_b - ask_k) * hours_b * z[b,s,k]
    s.t. sum_s y[b,s] <= 1                     one contract per bid
         sum_k z[b,s,k] = quantity_b * y[b,s]  all or nothing
         occupancy of every pool gap <= its node count, at all times

Occupancy is written as a flow: one variable per time point of a pool gap, equal
to the previous one plus the contracts starting there minus those ending there,
so each z appears in two rows only. Nodes of a pool have identical free time, so
a schedule whose occupancy never exceeds the pool size can be laid out on
individual nodes (interval graph colouring); the aggregation is exact.

A bid that must get all its nodes in one cloud (Market.cloud_groups) has a y per
(start, cloud), its z only on that cloud's pools; the first row above allows one.

Start times are restricted to the candidates given. When every time in the book
is a whole hour, whole-hour candidates lose nothing (shift any optimal schedule
left until each contract hits its earliest start or a gap/contract boundary),
so `hourly_starts` makes the ILP the true optimum and the LP a true upper bound.
"""

from __future__ import annotations

import collections
import dataclasses
import heapq

import numpy as np
import scipy.optimize
import scipy.sparse

from flocx_auction.book import HOUR, Bid
from flocx_auction.matching import Allocation, Market


def hourly_starts(market: Market, bid: Bid) -> np.ndarray:
    """Every whole hour in the bid's start range, plus the range's own ends."""
    first, last = max(bid.start, market.now), bid.latest_start
    if first > last:
        return np.array([])
    hours = np.arange(np.ceil(first / HOUR) * HOUR, last + 1.0, HOUR)  # +1 s: include the last hour
    return np.unique(np.r_[first, hours[hours <= last], last])


def boundary_starts(market: Market, bid: Bid, limit: int = 12) -> np.ndarray:
    """Starts worth trying for arbitrary times: the ends of the bid's range, and the
    starts that begin at a free gap's start or finish at a free gap's end."""
    first, last = max(bid.start, market.now), bid.latest_start
    if first > last:
        return np.array([])
    points = {first, last}
    for c in market.eligible_classes(bid):
        for _, s, e in market._gaps[c]:
            for t in (s, e - bid.duration):
                if first < t < last:
                    points.add(t)
    points = np.array(sorted(points))
    if len(points) > limit:
        points = points[np.linspace(0, len(points) - 1, limit).round().astype(int)]
    return points


@dataclasses.dataclass
class Solution:
    welfare: float
    allocations: list[Allocation]  # empty for the LP relaxation
    served: dict  # bid uuid -> (fraction served, start carrying most of it)
    status: str
    variables: int
    seconds: float


def _pools(market: Market):
    """Per hardware class: arrays of pool gaps (pool id, start, end, ask), pool members."""
    members: dict = collections.defaultdict(list)
    for c, hw in enumerate(market.classes):
        gaps_of = collections.defaultdict(list)
        for i, s, e in market._gaps[c]:
            gaps_of[i].append((s, e))
        for i in hw.offers:
            if gaps_of[i]:
                members[(c, market.asks[i], tuple(gaps_of[i]))].append(i)
    pools = list(members.items())
    per_class = collections.defaultdict(lambda: ([], [], [], []))
    gap_owner = []  # pool id of each pool gap
    for k, ((c, ask, gaps), _) in enumerate(pools):
        for s, e in gaps:
            col = per_class[c]
            col[0].append(len(gap_owner))
            col[1].append(s)
            col[2].append(e)
            col[3].append(ask)
            gap_owner.append(k)
    per_class = {c: tuple(np.array(v) for v in cols) for c, cols in per_class.items()}
    return pools, per_class, np.array(gap_owner, dtype=np.int64)


def _rival_quantities(market: Market, bids) -> np.ndarray:
    """Per bid, its quantity plus those of the bids that could hold one of its nodes
    while it runs: bids that may use a hardware class it may use, at times that
    overlap the times it could run."""
    first = np.array([max(b.start, market.now) for b in bids])
    last = np.array([b.latest_start + b.duration for b in bids])
    quantity = np.array([b.quantity for b in bids], dtype=np.int64)
    kinds: dict = {}  # eligible classes -> kind id; books have few kinds
    kind = np.array([kinds.setdefault(market.eligible_classes(b), len(kinds)) for b in bids])
    eligible = [set(classes) for classes in kinds]
    share = np.array([[not a.isdisjoint(b) for b in eligible] for a in eligible], dtype=bool)
    return np.array([
        quantity[(first < last[b]) & (first[b] < last) & share[kind[b], kind]].sum()
        for b in range(len(bids))
    ])


def solve(
    market: Market,
    bids,
    starts=hourly_starts,
    relax: bool = False,
    time_limit: float = 60.0,
    node_limit: int | None = None,
    max_columns: int | None = None,
    lp_support_only: bool = False,
    fix_integral: bool = False,
    gap: float | None = None,
    tight: bool = False,
    rival_columns: bool = False,
    conflicts: bool = False,
    branch_on_bids: bool = False,
) -> Solution:
    """Maximize welfare over `bids` (ILP, or its LP relaxation with `relax`).

    `lp_support_only` first solves the relaxation and then the integer program only
    over the bid starts the relaxation uses (a heuristic, much faster on big books);
    `fix_integral` also keeps every bid start the relaxation serves in full.
    `gap` stops branch and bound at the first plan within that fraction of the best
    bound (deterministic, like `node_limit`).
    `tight` adds the rows z <= pool size x y (see below): the same optimum, much
    faster branch and bound on small books of large bids, but a slower relaxation
    on large books (the planner uses it for its exact tier only).
    `rival_columns` gives a bid node columns for its rivals' quantities only
    (see below): the same optimum from a smaller model; the planner's exact tier
    uses it (on the heuristic tiers a different relaxation leads them elsewhere).
    `conflicts` adds a row y_a + y_b <= 1 for every two bid starts that run at
    overlapping times and need more nodes together than either may use
    (_conflicts): implied for integer solutions, it tightens the relaxation.
    `branch_on_bids` first solves with only the bid starts (y) integer and the
    node columns (z) continuous; if the optimum's z are whole numbers anyway, it is
    the optimum of the integer program too (that program is a restriction of this
    one), else the integer program is solved as without the option (see below).
    `node_limit` stops branch and bound after that many nodes, deterministically
    (unlike `time_limit`, which is only a safety net); `max_columns` gives up
    (status "too big", no solution) before solving a model larger than that.
    """
    import time

    began = time.perf_counter()
    bids = list(bids)
    pools, per_class, gap_owner = _pools(market)
    sizes = np.array([len(m) for _, m in pools], dtype=float)

    # Columns: y (one per bid start), then z (bid start x pool gap).
    y_bid, y_start = [], []
    z_y, z_gap, z_weight = [], [], []
    # No plan gives a bid a node beyond the `total_quantity` cheapest that fit it:
    # the other bids hold at most total_quantity - quantity of those, so a node
    # beyond them could be swapped for a cheaper free one (welfare no lower). Only
    # those nodes get a column: few bids on many nodes make a small model. With
    # `rival_columns`, only the bids that could hold one of its nodes while it runs
    # (its rivals) count, so bids that never run at the same time do not count
    # against each other.
    if rival_columns:
        limits = _rival_quantities(market, bids)
    else:
        limits = np.full(len(bids), sum(b.quantity for b in bids))
    for b, bid in enumerate(bids):
        total_quantity = limits[b]
        # A bid that must get all its nodes in one cloud has one bid start per
        # (start, cloud), with nodes of that cloud's pools only: the row "one
        # contract per bid" then chooses at most one cloud.
        groups = market.cloud_groups(bid) or (market.eligible_classes(bid),)
        choices = []
        for group in groups:
            classes = [c for c in group if c in per_class]
            if not classes:
                continue
            ask = np.concatenate([per_class[c][3] for c in classes])
            choices.append((
                np.concatenate([per_class[c][0] for c in classes]),
                np.concatenate([per_class[c][1] for c in classes]),
                np.concatenate([per_class[c][2] for c in classes]),
                ask,
                ask <= bid.price,
            ))
        if not choices:
            continue
        for s, (gap_id, gs, ge, ask, cheap) in (
            (s, choice) for s in starts(market, bid) for choice in choices
        ):
            fit = np.flatnonzero(cheap & (gs <= s) & (ge >= s + bid.duration))
            pool_sizes = sizes[gap_owner[gap_id[fit]]]
            if pool_sizes.sum() < bid.quantity:
                continue
            if pool_sizes.sum() > total_quantity:
                order = np.argsort(ask[fit], kind="stable")
                enough = int(np.cumsum(pool_sizes[order]).searchsorted(total_quantity)) + 1
                fit = np.sort(fit[order[:enough]])
            y = len(y_bid)
            y_bid.append(b)
            y_start.append(float(s))
            z_y.extend([y] * len(fit))
            z_gap.extend(gap_id[fit])
            z_weight.extend((bid.price - ask[fit]) * bid.duration / HOUR)
    n_y, n_z = len(y_bid), len(z_y)
    if n_y == 0:
        return Solution(0.0, [], {}, "empty", 0, time.perf_counter() - began)
    y_bid, y_start = np.array(y_bid), np.array(y_start)
    z_y, z_gap, z_weight = np.array(z_y), np.array(z_gap), np.array(z_weight)
    duration = np.array([b.duration for b in bids])
    z_start = y_start[z_y]
    z_end = z_start + duration[y_bid[z_y]]

    # Occupancy points: every (pool gap, time) where some contract starts or ends.
    ev_gap = np.concatenate([z_gap, z_gap])
    ev_time = np.concatenate([z_start, z_end])
    ev_sign = np.concatenate([np.ones(n_z), -np.ones(n_z)])
    ev_z = np.concatenate([np.arange(n_z), np.arange(n_z)])
    order = np.lexsort((ev_time, ev_gap))
    ev_gap, ev_time, ev_sign, ev_z = ev_gap[order], ev_time[order], ev_sign[order], ev_z[order]
    new_point = np.r_[True, (np.diff(ev_gap) != 0) | (np.diff(ev_time) != 0)]
    point = np.cumsum(new_point) - 1
    n_p = int(point[-1]) + 1
    point_gap = ev_gap[new_point]
    first_of_gap = np.r_[True, point_gap[1:] != point_gap[:-1]]

    o0 = n_y + n_z  # occupancy columns come last
    rows, cols, vals = [], [], []
    lo, hi = [], []

    def add_rows(r, c, v):
        rows.append(r)
        cols.append(c)
        vals.append(v)

    # One contract per bid.
    bid_row = np.unique(y_bid, return_inverse=True)[1]
    n_bid_rows = bid_row.max() + 1
    add_rows(bid_row, np.arange(n_y), np.ones(n_y))
    lo.append(np.full(n_bid_rows, -np.inf))
    hi.append(np.ones(n_bid_rows))
    # All or nothing.
    r0 = n_bid_rows
    quantity = np.array([b.quantity for b in bids], dtype=float)
    add_rows(r0 + z_y, n_y + np.arange(n_z), np.ones(n_z))
    add_rows(r0 + np.arange(n_y), np.arange(n_y), -quantity[y_bid])
    lo.append(np.zeros(n_y))
    hi.append(np.zeros(n_y))
    # Flow: occupancy[p] - occupancy[p-1] - starts at p + ends at p = 0.
    r1 = r0 + n_y
    add_rows(r1 + point, n_y + ev_z, -ev_sign)
    add_rows(r1 + np.arange(n_p), o0 + np.arange(n_p), np.ones(n_p))
    has_prev = np.flatnonzero(~first_of_gap)
    add_rows(r1 + has_prev, o0 + has_prev - 1, -np.ones(len(has_prev)))
    lo.append(np.zeros(n_p))
    hi.append(np.zeros(n_p))

    # No more of a pool gap than it holds, and only to a bid start that is chosen:
    # z <= size x y. Implied by the rows above for integer solutions, but it makes
    # the relaxation tighter (a bid start chosen in part cannot take a whole
    # node), and branch and bound on few large bids has less to do.
    n_rows = r1 + n_p
    if tight:
        add_rows(n_rows + np.arange(n_z), n_y + np.arange(n_z), np.ones(n_z))
        add_rows(n_rows + np.arange(n_z), z_y, -sizes[gap_owner[z_gap]])
        lo.append(np.full(n_z, -np.inf))
        hi.append(np.zeros(n_z))
        n_rows += n_z
    if conflicts:
        pairs = _conflicts(y_bid, y_start, z_y, z_gap, sizes[gap_owner[z_gap]], duration, quantity)
        if len(pairs):
            add_rows(n_rows + np.repeat(np.arange(len(pairs)), 2), pairs.ravel(), np.ones(2 * len(pairs)))
            lo.append(np.full(len(pairs), -np.inf))
            hi.append(np.ones(len(pairs)))
            n_rows += len(pairs)
    n_cols = o0 + n_p
    if max_columns is not None and n_cols > max_columns:
        return Solution(0.0, [], {}, "too big", n_cols, time.perf_counter() - began)
    matrix = scipy.sparse.csr_array(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n_rows, n_cols)
    )
    cost = np.concatenate([np.zeros(n_y), -z_weight, np.zeros(n_p)])
    upper = np.concatenate([np.ones(n_y), sizes[gap_owner[z_gap]], sizes[gap_owner[point_gap]]])
    integrality = np.r_[np.ones(n_y + n_z), np.zeros(n_p)]
    constraints = scipy.optimize.LinearConstraint(matrix, np.concatenate(lo), np.concatenate(hi))
    options = {"time_limit": time_limit, "disp": False}
    if node_limit is not None:
        options["node_limit"] = node_limit
    if gap is not None:
        options["mip_rel_gap"] = gap
    if relax or lp_support_only:
        result = scipy.optimize.milp(
            cost,
            constraints=constraints,
            integrality=np.zeros(n_cols),
            bounds=scipy.optimize.Bounds(np.zeros(n_cols), upper),
            options=options,
        )
    lower = np.zeros(n_cols)
    if lp_support_only and result.x is not None:
        # Keep only the bid starts the relaxation uses: a much smaller integer program
        # whose optimum is usually within a fraction of a percent of the full one.
        unused = np.flatnonzero(result.x[:n_y] < 1e-6)
        upper = upper.copy()
        upper[unused] = 0
        upper[n_y + np.flatnonzero(np.isin(z_y, unused))] = 0
        if fix_integral:
            lower[np.flatnonzero(result.x[:n_y] > 1 - 1e-6)] = 1
    solved = relax
    if not solved and branch_on_bids:
        # Once the bid starts are chosen, what is left is a flow of nodes through
        # time, whose relaxation has mostly whole-numbered optima: HiGHS then
        # branches on few bid starts instead of cutting at the root over hundreds
        # of node columns (a round of two bids for 70 and 140 of ~900 single-node
        # pools: 0.02 s instead of 0.5 s).
        result = scipy.optimize.milp(
            cost,
            constraints=constraints,
            integrality=np.r_[np.ones(n_y), np.zeros(n_z + n_p)],
            bounds=scipy.optimize.Bounds(lower, upper),
            options=options,
        )
        if result.x is not None:
            z_values = result.x[n_y:o0]
            solved = np.allclose(z_values, np.round(z_values), atol=1e-6)
    if not solved:
        result = scipy.optimize.milp(
            cost,
            constraints=constraints,
            integrality=integrality,
            bounds=scipy.optimize.Bounds(lower, upper),
            options=options,
        )
    seconds = time.perf_counter() - began
    if result.x is None:
        return Solution(0.0, [], {}, result.message, n_cols, seconds)
    served = {}
    for y in np.argsort(-result.x[:n_y], kind="stable"):
        uuid = bids[y_bid[y]].uuid
        if uuid not in served:
            used = z_gap[(z_y == y) & (result.x[n_y:o0] > 1e-6)]
            offers = [i for g in used for i in pools[gap_owner[g]][1]]
            served[uuid] = [0.0, float(y_start[y]), offers]
        served[uuid][0] += float(result.x[y])
    welfare = float(-result.fun)
    if relax:
        return Solution(welfare, [], served, result.message, n_cols, seconds)

    x = np.round(result.x).astype(int)
    chosen = np.flatnonzero(x[:n_y] == 1)
    z = x[n_y:o0]
    allocations = _lay_out(market, pools, gap_owner, bids, y_bid, y_start, z_y, z_gap, z, chosen)
    welfare = sum(market.welfare(a) for a in allocations)
    return Solution(welfare, allocations, served, result.message, n_cols, seconds)


def _conflicts(y_bid, y_start, z_y, z_gap, z_size, duration, quantity) -> np.ndarray:
    """Pairs of bid starts that no plan serves together: they run at overlapping
    times, so they need distinct nodes, and the nodes either may use are fewer
    than both need together (e.g. two bids for most of one pool)."""
    n_y = len(y_bid)
    held = np.zeros(n_y)
    np.add.at(held, z_y, z_size)
    need = quantity[y_bid]
    start, end = y_start, y_start + duration[y_bid]
    # Overlapping, of different bids, and more needed than the larger one may hold:
    # only such pairs can lack nodes (the union holds at least the larger).
    a, b = np.nonzero(np.triu(
        (start[:, None] < end[None, :]) & (start[None, :] < end[:, None])
        & (y_bid[:, None] != y_bid[None, :])
        & (need[:, None] + need[None, :] > np.maximum(held[:, None], held[None, :])), k=1))
    if not len(a):
        return np.empty((0, 2), dtype=np.int64)
    gaps = [dict() for _ in range(n_y)]
    for y, g, size in zip(z_y, z_gap, z_size):
        gaps[y][g] = size
    pairs = [
        (w, o) for w, o in zip(a, b)
        if need[w] + need[o] > held[w] + sum(size for g, size in gaps[o].items() if g not in gaps[w])
    ]
    return np.array(pairs, dtype=np.int64).reshape(-1, 2)


def _lay_out(market, pools, gap_owner, bids, y_bid, y_start, z_y, z_gap, z, chosen):
    """Turn pool counts into named nodes: per pool gap, contracts in start order take
    any node whose previous contract has ended (interval graph colouring)."""
    demands = collections.defaultdict(list)  # pool gap -> [(start, end, y, count)]
    for y in chosen:
        bid = bids[y_bid[y]]
        for col in np.flatnonzero((z_y == y) & (z > 0)):
            demands[z_gap[col]].append((y_start[y], y_start[y] + bid.duration, y, int(z[col])))
    nodes = collections.defaultdict(list)
    for gap, wanted in demands.items():
        free = [(-np.inf, i) for i in pools[gap_owner[gap]][1]]
        heapq.heapify(free)
        for start, end, y, count in sorted(wanted):
            for _ in range(count):
                free_at, offer = heapq.heappop(free)
                if free_at > start:
                    raise AssertionError("pool occupancy exceeded its size")
                nodes[y].append(offer)
                heapq.heappush(free, (end, offer))
    return [Allocation(bids[y_bid[y]], float(y_start[y]), tuple(sorted(nodes[y]))) for y in chosen]
