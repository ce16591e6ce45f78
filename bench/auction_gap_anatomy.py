"""Where the engine's gap to the clairvoyant optimum is (issue #14).

    nice -n 10 PYTHONPATH=. .venv/bin/python bench/auction_gap_anatomy.py --seeds 1000-1015 \\
        [--cache /tmp/qcache] [--data ... --yardstick ...]

Same instances and replay as bench/auction_quality.py (its `draw`, `replay` and
references). For every bid the exact optimum serves and the replay does not, the
welfare the optimum gets from it is put in one of four columns, by what the
engine would have had to do at the time to serve it:

- open: it still fitted when it arrived, next to the contracts made before; the
  engine had it in its book and gave its nodes to other bids later;
- moved: it did not fit when it arrived, but would have if the contracts made
  before had taken other nodes (the same bids at the same times): a loss of
  placement, which of the free nodes each contract took;
- moved later: of those, the ones that fit when only contracts that had not yet
  started may move: what assigning nodes at a contract's start, instead of when
  it is made, could get back (a market rule, not an engine choice);
- blocked: no placement of the earlier contracts leaves room; only turning one
  of them down, before this bid was made, would have served it.

Each bid is tested alone against the contracts made before its arrival, so the
columns bound what each kind of change could recover; they do not add up to a
plan. `replay only` is the welfare of bids the replay serves and the optimum
does not. Packing tests are integer programs (HiGHS, `--pack-time` each).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import scipy.optimize
import scipy.sparse

sys.path.insert(0, str(Path(__file__).resolve().parent))

import auction_quality as quality  # noqa: E402


def fits_together(inst, bids, pinned, time_limit) -> bool:
    """Can every bid in `bids` be served at once, the `pinned` ones on their nodes?"""
    columns = [(b, n) for b in bids
               for n in (pinned[b] if b in pinned else np.flatnonzero(inst.C[b]))]
    index = {c: k for k, c in enumerate(columns)}
    rows, cols, lo, hi = [], [], [], []
    for r, b in enumerate(bids):  # all or nothing: exactly N_b nodes
        nodes = pinned[b] if b in pinned else np.flatnonzero(inst.C[b])
        rows += [r] * len(nodes)
        cols += [index[(b, n)] for n in nodes]
        lo.append(inst.N[b])
        hi.append(inst.N[b])
    r = len(bids)
    by_node: dict = {}
    for b, n in columns:
        by_node.setdefault(n, []).append(b)
    for n, on_node in by_node.items():  # per node, at every start: one bid at a time
        for t in sorted({inst.S[b] for b in on_node}):
            running = [b for b in on_node if inst.S[b] <= t < inst.E[b]]
            if len(running) > 1:
                rows += [r] * len(running)
                cols += [index[(b, n)] for b in running]
                lo.append(0)
                hi.append(1)
                r += 1
    matrix = scipy.sparse.csr_array((np.ones(len(rows)), (rows, cols)), shape=(r, len(columns)))
    result = scipy.optimize.milp(
        np.zeros(len(columns)), integrality=np.ones(len(columns)),
        bounds=scipy.optimize.Bounds(0, 1),
        constraints=scipy.optimize.LinearConstraint(matrix, lo, hi),
        options={"time_limit": time_limit})
    return result.status == 0


def anatomy(ys, inst, optimum, replay, pack_time) -> dict:
    served = {i: np.array(v) for i, v in replay["allocation"].items()}
    answered = replay["answered"]
    out = dict(open=0.0, moved=0.0, moved_later=0.0, blocked=0.0, replay_only=0.0)

    def welfare(i, nodes):
        return float(((inst.price[i] - inst.ask[nodes]) * inst.dur[i]).sum())

    for i, nodes in optimum.items():
        if i in served:
            continue
        worth = welfare(i, nodes)
        arrival = math.ceil(inst.stamp[i])  # the round it entered the book
        before = [j for j in served if answered[j] < arrival
                  and inst.S[j] < inst.E[i] and inst.S[i] < inst.E[j]]
        if fits_together(inst, before + [i], {j: served[j] for j in before}, pack_time):
            out["open"] += worth
        elif fits_together(inst, before + [i], {}, pack_time):
            out["moved"] += worth
            started = {j: served[j] for j in before if inst.S[j] <= arrival}
            if fits_together(inst, before + [i], started, pack_time):
                out["moved_later"] += worth
        else:
            out["blocked"] += worth
    out["replay_only"] = sum(welfare(j, served[j]) for j in served if j not in optimum)
    return out


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", default="1000-1015")
    parser.add_argument("--data", default=quality.shared("data", "cloudlab-traces"))
    parser.add_argument("--yardstick", default=quality.shared("tools", "market_yardstick.py"))
    parser.add_argument("--ilp-time", type=float, default=60.0, help="HiGHS limit per optimum (s)")
    parser.add_argument("--pack-time", type=float, default=30.0, help="HiGHS limit per packing test (s)")
    parser.add_argument("--min-bids", type=int, default=20)
    parser.add_argument("--max-bids", type=int, default=1000)
    parser.add_argument("--json", help="also write every row to this file")
    args = parser.parse_args()

    print("command: nice -n 10 PYTHONPATH=. python bench/auction_gap_anatomy.py", *sys.argv[1:])
    ys = quality.load_yardstick(Path(args.yardstick))
    trace = ys.load_trace(args.data)
    months = quality.months_of(trace, args.min_bids, args.max_bids)
    keys = ["open", "moved", "moved_later", "blocked", "replay_only"]
    print(f"{'seed':>5} {'month':7} {'win':6} {'over':4} {'W_fcfs':>9} {'W_opt':>9} {'W':>9} "
          f"{'gap':>5} " + " ".join(f"{k:>11}" for k in keys), flush=True)
    rows, began = [], time.time()
    with tempfile.TemporaryDirectory() as tmp:
        for seed in quality.parse_seeds(args.seeds):
            point = quality.draw(seed, months)
            inst = quality.without_late_bids(ys, ys.build_instance(
                trace, point["month"], point["offered"], point["seed"], point["windows"],
                point["mu"], point["sigma"], point["oversize"]))
            if inst.nB == 0:
                continue
            optimum, *_ = ys.solve_ilp(inst, ys.build_model(inst), args.ilp_time)
            path = Path(tmp) / f"{seed}.json"
            quality.export(inst, path)
            replay = quality.run_replay(quality.REPO, path, {})
            w = quality.judge(ys, inst, replay)
            w_fcfs = ys.welfare(inst, ys.fcfs(inst))[0]
            w_opt = max(ys.welfare(inst, optimum)[0], w_fcfs)
            gap = (w - w_fcfs) / (w_opt - w_fcfs) if w_opt - w_fcfs > 1e-6 else 1.0
            row = dict(point, fcfs=w_fcfs, opt=w_opt, w=w, gap=gap,
                       **anatomy(ys, inst, optimum, replay, args.pack_time))
            rows.append(row)
            print(f"{seed:5} {point['month']:7} {point['windows']:6} {point['oversize']:4} "
                  f"{w_fcfs:9.0f} {w_opt:9.0f} {w:9.0f} {gap:5.2f} "
                  + " ".join(f"{row[k]:11.0f}" for k in keys), flush=True)
    total = {k: sum(r[k] for r in rows) for k in keys}
    lost = sum(total[k] for k in ("open", "moved", "blocked"))
    print(f"\nall {len(rows)}: W_opt - W {sum(r['opt'] - r['w'] for r in rows):.0f}; welfare of bids "
          f"only the optimum serves {lost:.0f}: open {total['open']:.0f} "
          f"({total['open'] / max(lost, 1e-9):.1%}), moved {total['moved']:.0f} "
          f"({total['moved'] / max(lost, 1e-9):.1%}; later {total['moved_later']:.0f}, "
          f"{total['moved_later'] / max(lost, 1e-9):.1%}), blocked {total['blocked']:.0f} "
          f"({total['blocked'] / max(lost, 1e-9):.1%}); replay only {total['replay_only']:.0f}; "
          f"{time.time() - began:.0f} s")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
