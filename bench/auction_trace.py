"""Replay the CloudLab reservation traces through the auction engine.

    PYTHONPATH=. .venv/bin/python bench/auction_trace.py [--quick] [--policies]

Model (the data has no prices, so this bench adds them; all seeded):

- Sites are organizations. Every test node of the inventory (nodes.csv, role
  testnode) belongs to the site where its hardware type is reserved most. A site
  offers `fraction` of its nodes of each type (10/25/50%) for the whole month and
  the two months after it (so long reservations can fit), as one offer per node.
- Each hardware type t has a value v_t ~ lognormal(0, 0.5) per node-hour. A node's
  ask is v_t x uniform(0.5, 1.0); a reservation's bid price is
  v_t x lognormal(0.2, 0.6) (v = mean value when the reservation names no type:
  then any node fits). Renters value their reservations very unequally, which is
  what makes the choice of who is served matter.
- Reservations (apt_reservation_history_details.csv) that start in the month are
  the bids: nodes, type, start, duration as recorded, fixed start, no decide_by,
  arriving at `stamp` (or at the start, for the few stamped after it).
- The engine runs a round every hour of trace time; a bid is answered in the last
  round before `answer_before_start` ahead of its start (or the round after it
  arrives, if it comes later). FCFS answers each bid in the round after it arrives.
- The yardstick is the clairvoyant optimum: the exact ILP over the month's bids,
  all known in advance, on the same offers.
"""

from __future__ import annotations

import argparse
import collections
import csv
import datetime
import math
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flocx_auction import optimal  # noqa: E402
from flocx_auction.book import HOUR, Bid, Offer, is_due  # noqa: E402
from flocx_auction.clearing import clear_round  # noqa: E402
from flocx_auction.matching import Market  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def default_traces() -> Path:
    """`../shared/data/cloudlab-traces` of the checkout (or of the repository that
    holds this worktree, one level further up)."""
    for up in (REPO.parent, REPO.parent.parent):
        if (up / "shared").is_dir():
            return up / "shared" / "data" / "cloudlab-traces"
    return REPO.parent / "shared" / "data" / "cloudlab-traces"


TRACES = default_traces()
DAY = 24 * HOUR
MONTHS = ["2018-03", "2018-06", "2018-10", "2019-02"]
FRACTIONS = [0.10, 0.25, 0.50]
SEEDS = [0, 1]
ON_ARRIVAL = 1e12  # answer_before_start so large that every bid is due at once


def epoch(text: str) -> float:
    return (
        datetime.datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
        .replace(tzinfo=datetime.timezone.utc)
        .timestamp()
    )


def load_trace(traces: Path = TRACES):
    reservations = []
    with open(traces / "apt_reservation_history_details.csv") as f:
        for row in csv.DictReader(f):
            if row["start"] and row["end"] and int(row["nodes"]) > 0:
                reservations.append(row)
    site_votes = collections.defaultdict(collections.Counter)
    for r in reservations:
        site_votes[r["type"]][r["aggregate_urn"].split("+")[1]] += 1
    nodes = collections.Counter()  # (site, type) -> count
    with open(traces / "nodes.csv") as f:
        for row in csv.DictReader(f):
            if row["role"] == "testnode":
                votes = site_votes.get(row["type"])
                site = votes.most_common(1)[0][0] if votes else "unreserved"
                nodes[(site, row["type"])] += 1
    return reservations, nodes


def instance(reservations, nodes, month: str, fraction: float, seed: int):
    """(offers, bids, first round time, month start)"""
    rng = np.random.default_rng([seed, int(fraction * 100), int(month.replace("-", ""))])
    types = sorted({t for _, t in nodes})
    value = dict(zip(types, rng.lognormal(0, 0.5, len(types))))
    mean_value = float(np.mean(list(value.values())))
    begin = epoch(f"{month}-01 00:00:00")
    year, mon = map(int, month.split("-"))
    end = epoch(f"{year + (mon == 12)}-{mon % 12 + 1:02d}-01 00:00:00")

    offers = []
    for (site, hw), count in sorted(nodes.items()):
        for n in range(int(round(count * fraction))):
            ask = round(float(value[hw] * rng.uniform(0.5, 1.0)), 4)
            offers.append(
                Offer(f"{site}/{hw}/{n}", site, hw, {"type": hw}, begin, end + 60 * DAY, ask)
            )
    bids = []
    for r in reservations:
        start, stop = epoch(r["start"]), epoch(r["end"])
        if not (begin <= start < end) or stop <= start:
            continue
        created = min(epoch(r["stamp"]), start)
        hw = r["type"] or None
        price = round(
            float((value.get(hw, mean_value) if hw else mean_value) * rng.lognormal(0.2, 0.6)), 4
        )
        bids.append(
            Bid(
                f"r{r['idx']}",
                f"p{r['pid_idx']}",
                int(r["nodes"]),
                hw,
                (),
                start,
                start,
                stop - start,
                price,
                None,
                created,
            )
        )
    first_round = math.ceil(min(b.created_at for b in bids) / HOUR) * HOUR
    return offers, bids, first_round, begin


def replay(offers, bids, first_round, mechanism, answer_before_start):
    """Hourly rounds; returns (welfare, contracts, slowest round in seconds)."""
    busy = collections.defaultdict(list)
    arrivals = sorted(bids, key=lambda b: (b.created_at, b.uuid))
    book, welfare, contracts, slowest = [], 0.0, 0, 0.0
    now, i = first_round, 0
    last_start = max(b.start for b in bids)
    while now <= last_start:
        while i < len(arrivals) and arrivals[i].created_at <= now:
            book.append(arrivals[i])
            i += 1
        nxt = now + HOUR
        # A round without a due bid commits nothing: skip it (same outcome, faster).
        if book and (
            mechanism == "fcfs" or any(is_due(b, now, answer_before_start, nxt) for b in book)
        ):
            current = [
                Offer(
                    o.uuid,
                    o.project_id,
                    o.resource_class,
                    o.properties,
                    o.start,
                    o.end,
                    o.price,
                    tuple(busy[o.uuid]),
                )
                for o in offers
            ]
            result = clear_round(current, book, now, mechanism, answer_before_start, next_round=nxt)
            for award in result.awards:
                for uuid, _ in award.nodes:
                    busy[uuid].append((award.start, award.end))
            welfare += result.welfare
            contracts += len(result.awards)
            slowest = max(slowest, result.stats["seconds"])
            answered = {a.bid_uuid for a in result.awards} | set(result.rejected)
            book = [b for b in book if b.uuid not in answered]
        now = nxt
    return welfare, contracts, slowest


def clairvoyant(offers, bids, now):
    market = Market(offers, now)
    return optimal.solve(market, bids, time_limit=120).welfare


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="one month, one seed")
    parser.add_argument(
        "--policies",
        action="store_true",
        help="also the answer-time trade-off (0, 6, 12, 24 h, on arrival)",
    )
    parser.add_argument("--data", type=Path, default=TRACES,
                        help="the CloudLab traces (default: ../shared/data/cloudlab-traces)")
    args = parser.parse_args()
    months, seeds = (MONTHS[:1], SEEDS[:1]) if args.quick else (MONTHS, SEEDS)
    policies = {"12h": 12 * HOUR}
    if args.policies:
        policies = {
            "0h": 0.0,
            "6h": 6 * HOUR,
            "12h": 12 * HOUR,
            "24h": 24 * HOUR,
            "arrival": ON_ARRIVAL,
        }

    print("command:", "PYTHONPATH=. .venv/bin/python bench/auction_trace.py", *sys.argv[1:])
    reservations, nodes = load_trace(args.data)
    print(
        f"trace: {len(reservations)} reservations with a start, {sum(nodes.values())} test nodes, "
        f"{len(nodes)} (site, type) pools"
    )
    header = f"{'month':8} {'offer':>5} {'seed':>4} {'bids':>5} {'nodes':>5} "
    header += f"{'W_fcfs':>10} {'W_opt':>10}"
    header += "".join(f" {name + ' W/fcfs':>12} {'gap':>6}" for name in policies)
    print(header)
    closed = collections.defaultdict(list)
    ratio = collections.defaultdict(list)
    slowest = 0.0
    began = time.perf_counter()
    for month in months:
        for fraction in FRACTIONS:
            for seed in seeds:
                offers, bids, first_round, begin = instance(
                    reservations, nodes, month, fraction, seed
                )
                w_fcfs, _, _ = replay(offers, bids, first_round, "fcfs", ON_ARRIVAL)
                w_opt = clairvoyant(offers, bids, min(first_round, min(b.start for b in bids)))
                line = f"{month:8} {fraction:5.0%} {seed:4} {len(bids):5} {len(offers):5} "
                line += f"{w_fcfs:10.0f} {w_opt:10.0f}"
                for name, before in policies.items():
                    w, _, slow = replay(offers, bids, first_round, "welfare", before)
                    slowest = max(slowest, slow)
                    gap = (w - w_fcfs) / (w_opt - w_fcfs) if w_opt > w_fcfs + 1e-6 else 1.0
                    closed[name].append(gap)
                    ratio[name].append(w / w_fcfs if w_fcfs else 1.0)
                    line += f" {w / w_fcfs if w_fcfs else 1.0:12.3f} {gap:6.2f}"
                print(line, flush=True)
    print()
    for name in policies:
        print(
            f"answer {name:>7} before start: mean gap closed {statistics.mean(closed[name]):.2f}, "
            f"median W/W_fcfs {statistics.median(ratio[name]):.3f}, "
            f"worst W/W_fcfs {min(ratio[name]):.3f}"
        )
    print(f"slowest round {slowest:.2f} s; bench took {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
