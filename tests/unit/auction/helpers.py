"""Small books for the auction tests. Times are whole hours from T0."""

from __future__ import annotations

from flocx_auction.book import HOUR, Bid, Constraint, Offer

T0 = 1_767_225_600.0  # 2026-01-01T00:00Z

SMALL = {"cpus": 8, "memory_mb": 32768, "cpu_arch": "x86_64", "traits": ["CUSTOM_SSD"]}
BIG = {
    "cpus": 64,
    "memory_mb": 262144,
    "cpu_arch": "aarch64",
    "traits": ["CUSTOM_GPU", "CUSTOM_25G"],
}


def h(hours: float) -> float:
    return T0 + hours * HOUR


def offer(
    uuid="o1", start=0, end=24, price=1.0, rc="bm.small", props=None, busy=(), project="owner"
):
    busy = tuple((h(s), h(e)) for s, e in busy)
    return Offer(
        uuid, project, rc, dict(SMALL if props is None else props), h(start), h(end), price, busy
    )


def bid(
    uuid="b1",
    quantity=1,
    start=0,
    duration=1,
    latest=None,
    price=2.0,
    rc="bm.small",
    constraints=(),
    decide_by=None,
    created=-10,
    project="renter",
):
    constraints = tuple(Constraint(*c) for c in constraints)
    return Bid(
        uuid,
        project,
        quantity,
        rc,
        constraints,
        h(start),
        h(start if latest is None else latest),
        duration * HOUR,
        price,
        None if decide_by is None else h(decide_by),
        h(created),
    )


def due_now(b: Bid, now_hours: float = 0) -> Bid:
    """The same bid, needing its answer at `now_hours`."""
    import dataclasses

    return dataclasses.replace(b, decide_by=h(now_hours))
