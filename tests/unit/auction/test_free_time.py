"""The free-time search may stop reading early (bucket rows sorted by ask, read in
chunks until enough fit): it must choose exactly what a full read chooses."""

import random

import pytest

from flocx_auction import matching
from flocx_auction.matching import Market, by_arrival, greedy
from flocx_auction.planner import follow_relaxation

from .helpers import BIG, SMALL, bid, h, offer


SMALL_16 = {**SMALL, "cpus": 16}


def random_book(seed: int):
    rnd = random.Random(seed)
    offers = []
    for rack in range(60):
        rc, props = rnd.choice([("bm.small", SMALL), ("bm.small", SMALL_16), ("bm.big", BIG)])
        start = rnd.randrange(0, 72)
        end = start + rnd.randrange(24, 200)
        price = round(rnd.uniform(0.5, 2.0), 1)  # coarse: many equal asks
        busy = ()
        if rnd.random() < 0.3:
            b0 = rnd.randrange(start, end - 1)
            busy = ((b0, min(end, b0 + rnd.randrange(2, 24))),)
        for node in range(rnd.randrange(1, 6)):
            offers.append(offer(f"o{rack:03d}-{node}", start, end, price, rc, props, busy))
    bids = []
    for i in range(400):
        constraints, rc = (), rnd.choice(["bm.small", "bm.big"])
        if rnd.random() < 0.3:  # both tables, only part of bm.small
            constraints, rc = (("cpus", ">=", 16),), None
        start = rnd.randrange(0, 200)
        bids.append(
            bid(
                f"b{i:03d}",
                quantity=rnd.choice([1, 1, 2, 3, 8]),
                start=start,
                duration=rnd.randrange(1, 40),
                latest=start + rnd.choice([0, 0, 3, 20, 60]),
                price=round(rnd.uniform(0.5, 3.0), 1),
                rc=rc,
                constraints=constraints,
                created=i,
            )
        )
    return offers, bids


def plans(offers, bids):
    market = Market(offers, h(0))
    by_value = greedy(market, bids)
    by_time = greedy(market, bids, order=by_arrival)
    # The LP-rounding path (`prefer`, always a full read), with a made-up "LP".
    served = {a.bid.uuid: (0.5, a.start, list(a.offers)) for a in by_value[::3]}
    followed = follow_relaxation(market, bids, served)
    return [[(a.bid.uuid, a.start, a.offers) for a in plan] for plan in (by_value, by_time, followed)]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_stopping_early_chooses_what_a_full_read_chooses(monkeypatch, seed):
    offers, bids = random_book(seed)
    # Many narrow buckets, so that flexible bids search several.
    monkeypatch.setattr(matching, "ROWS_PER_BUCKET", 8)
    monkeypatch.setattr(matching, "SMALL_BUCKET", 10**9)  # every bucket read whole
    full = plans(offers, bids)
    monkeypatch.setattr(matching, "SMALL_BUCKET", 0)  # every bucket read by ask
    monkeypatch.setattr(matching, "FIRST_CHUNK", 1)
    monkeypatch.setattr(matching, "CHUNK_PER_ROW", 1)
    monkeypatch.setattr(matching, "REBUILD_MIN", 2)
    assert plans(offers, bids) == full
    assert all(full)  # the book is not trivial
