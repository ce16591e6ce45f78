"""Clear synthetic books (bench/auction_workload.py) with every mechanism.

    PYTHONPATH=. .venv/bin/python bench/auction_synthetic.py [--quick] [--sizes 1000 10000 100000]

Per size and mechanism: clearing time of clear_round (median of --repeat runs;
every mechanism is loaded once before timing, as the long-running engine does, so
the one-off stevedore entry-point scan, ~0.5 s, is not counted), process CPU time,
contracts, node-hours, welfare, welfare / LP upper bound (hourly LP of optimal.py,
up to 3k bids) and welfare / FCFS. Every bid is due (decide_by = now), so the whole
plan is committed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from auction_workload import synthetic_book  # noqa: E402

from flocx_auction import optimal  # noqa: E402
from flocx_auction.clearing import clear_round  # noqa: E402
from flocx_auction.matching import Market, greedy  # noqa: E402
from flocx_auction.mechanisms import load  # noqa: E402

MECHANISMS = ["welfare", "mcafee", "pay_as_bid", "fcfs"]
LP_MAX_BIDS = 3000


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="1k x 1k only (CI)")
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000, 100000])
    parser.add_argument("--seeds", type=int, nargs="*", default=[1])
    parser.add_argument(
        "--repeat", type=int, help="runs per mechanism (default 3, 1 with --quick; 100k and up: 1)"
    )
    args = parser.parse_args()
    if args.repeat is None:
        args.repeat = 1 if args.quick else 3
    sizes = [1000] if args.quick else args.sizes
    print("command:", "PYTHONPATH=. .venv/bin/python bench/auction_synthetic.py", *sys.argv[1:])
    print(
        f"{'size':>7} {'seed':>4} {'mechanism':>12} {'seconds':>8} {'cpu':>6} {'contracts':>9} "
        f"{'node-h':>9} {'welfare':>10} {'W/LP':>6} {'W/fcfs':>7}"
    )
    for m in MECHANISMS:
        load(m)
    for n in sizes:
        for seed in args.seeds:
            offers, bids, now = synthetic_book(n, n, seed=seed)
            lp = None
            if n <= LP_MAX_BIDS:
                lp = optimal.solve(Market(offers, now), bids, relax=True).welfare
            repeat = 1 if n >= 100_000 else args.repeat
            results, seconds, cpu = {}, {}, {}
            for m in MECHANISMS:
                runs = []
                for _ in range(repeat):
                    began = time.process_time()
                    results[m] = clear_round(offers, bids, now, m)
                    runs.append((results[m].stats["seconds"], time.process_time() - began))
                seconds[m] = statistics.median(r[0] for r in runs)
                cpu[m] = statistics.median(r[1] for r in runs)
            market = Market(offers, now)
            began, began_cpu = time.perf_counter(), time.process_time()
            greedy_welfare = sum(market.welfare(a) for a in greedy(market, bids))
            rows = [
                (m, seconds[m], cpu[m], len(r.awards), r.stats["node_hours"], r.welfare)
                for m, r in results.items()
            ]
            rows.append(
                (
                    "greedy only",
                    time.perf_counter() - began,
                    time.process_time() - began_cpu,
                    None,
                    None,
                    greedy_welfare,
                )
            )
            fcfs = results["fcfs"].welfare
            for name, wall, cpu_seconds, contracts, node_hours, welfare in rows:
                ratio = f"{welfare / lp:6.3f}" if lp else f"{'-':>6}"
                print(
                    f"{n:7} {seed:4} {name:>12} {wall:8.2f} {cpu_seconds:6.2f} "
                    f"{contracts if contracts is not None else '':>9} "
                    f"{node_hours if node_hours is not None else 0:9.0f} {welfare:10.0f} {ratio} "
                    f"{welfare / fcfs:7.3f}",
                    flush=True,
                )
            if lp:
                print(f"{n:7} {seed:4} {'LP bound':>12} {'':8} {'':6} {'':9} {'':9} {lp:10.0f}")


if __name__ == "__main__":
    main()
