"""Synthetic order books for the auction benches (seeded, reproducible).

The model, so figures can be read against it:

- 6 resource classes with 2-3 hardware variants each (cpus, memory_mb, local_gb,
  cpu_arch, traits); a class has a base price per node-hour (1 to 8).
- Owners offer racks of 1-16 identical nodes (same hardware, window and ask) for
  2-7 days starting in the first week; ask = base x lognormal(0, 0.25).
  One offer in five already has a contract (a busy interval) from an earlier round.
- Renters bid for 1 node (half), 2-4 (30%) or 5-16 (20%), for 2-72 hours,
  starting in the first 12 days, some with 2-12 h of start flexibility;
  price = base x lognormal(0.15, 0.4), so some bids sit below every ask.
  70% name a resource class, the rest only constraints (cpus >=, traits has, ...).
- Every time is a whole hour (so the hourly ILP/LP is exact, see optimal.py), and
  every bid must be answered now (decide_by = now): one round clears the book.
- Demand is about 1.5x the offered node-hours: the market is contested.
"""

from __future__ import annotations

import numpy as np

from flocx_auction.book import HOUR, Bid, Constraint, Offer

NOW = 1_767_225_600.0  # 2026-01-01T00:00Z, a whole hour
DAY = 24 * HOUR

HARDWARE = {
    # resource class: (base price, [hardware variants])
    "bm.small": (
        1.0,
        [
            {"cpus": 8, "memory_mb": 32768, "local_gb": 480, "cpu_arch": "x86_64", "traits": []},
            {
                "cpus": 12,
                "memory_mb": 65536,
                "local_gb": 960,
                "cpu_arch": "x86_64",
                "traits": ["CUSTOM_SSD"],
            },
        ],
    ),
    "bm.medium": (
        2.0,
        [
            {
                "cpus": 24,
                "memory_mb": 131072,
                "local_gb": 960,
                "cpu_arch": "x86_64",
                "traits": ["CUSTOM_SSD"],
            },
            {
                "cpus": 32,
                "memory_mb": 196608,
                "local_gb": 1920,
                "cpu_arch": "x86_64",
                "traits": ["CUSTOM_SSD"],
            },
            {"cpus": 28, "memory_mb": 131072, "local_gb": 480, "cpu_arch": "x86_64", "traits": []},
        ],
    ),
    "bm.large": (
        3.5,
        [
            {
                "cpus": 64,
                "memory_mb": 393216,
                "local_gb": 3840,
                "cpu_arch": "x86_64",
                "traits": ["CUSTOM_SSD", "CUSTOM_25G"],
            },
            {
                "cpus": 48,
                "memory_mb": 262144,
                "local_gb": 1920,
                "cpu_arch": "x86_64",
                "traits": ["CUSTOM_25G"],
            },
        ],
    ),
    "bm.gpu": (
        8.0,
        [
            {
                "cpus": 32,
                "memory_mb": 262144,
                "local_gb": 1920,
                "cpu_arch": "x86_64",
                "traits": ["CUSTOM_GPU_V100"],
            },
            {
                "cpus": 48,
                "memory_mb": 524288,
                "local_gb": 3840,
                "cpu_arch": "x86_64",
                "traits": ["CUSTOM_GPU_A100", "CUSTOM_25G"],
            },
        ],
    ),
    "bm.storage": (
        2.5,
        [
            {
                "cpus": 16,
                "memory_mb": 65536,
                "local_gb": 30720,
                "cpu_arch": "x86_64",
                "traits": ["CUSTOM_HDD"],
            },
            {
                "cpus": 16,
                "memory_mb": 131072,
                "local_gb": 61440,
                "cpu_arch": "x86_64",
                "traits": ["CUSTOM_HDD"],
            },
        ],
    ),
    "bm.arm": (
        1.5,
        [
            {"cpus": 64, "memory_mb": 131072, "local_gb": 960, "cpu_arch": "aarch64", "traits": []},
            {
                "cpus": 80,
                "memory_mb": 262144,
                "local_gb": 1920,
                "cpu_arch": "aarch64",
                "traits": ["CUSTOM_25G"],
            },
        ],
    ),
}
CLASSES = list(HARDWARE)

# Constraint-only bids: (constraints, base price of what they would get).
OPEN_REQUESTS = [
    ((Constraint("cpus", ">=", 48),), 3.0),
    ((Constraint("traits", "has", "CUSTOM_25G"),), 3.0),
    ((Constraint("cpu_arch", "==", "aarch64"), Constraint("memory_mb", ">=", 200000)), 1.5),
    ((Constraint("traits", "has", "CUSTOM_SSD"), Constraint("cpus", "<", 30)), 1.5),
    ((Constraint("local_gb", ">", 10000), Constraint("cpu_arch", "in", ["x86_64"])), 2.5),
    ((Constraint("cpu_arch", "!=", "aarch64"), Constraint("memory_mb", "<=", 65536)), 1.2),
]


def synthetic_book(n_offers: int, n_bids: int, seed: int = 0):
    """(offers, bids, now): about n_offers nodes and n_bids bids."""
    rng = np.random.default_rng(seed)
    offers = []
    rack = 0
    while len(offers) < n_offers:
        cls = CLASSES[rng.integers(len(CLASSES))]
        base, variants = HARDWARE[cls]
        hardware = variants[rng.integers(len(variants))]
        size = min(int(rng.integers(1, 17)), n_offers - len(offers))
        start = NOW + int(rng.integers(0, 7 * 24)) * HOUR
        end = start + int(rng.integers(2 * 24, 7 * 24 + 1)) * HOUR
        ask = round(float(base * rng.lognormal(0, 0.25)), 3)
        busy = ()
        if rng.random() < 0.2:
            b0 = start + int(rng.integers(0, (end - start) / HOUR - 1)) * HOUR
            busy = ((b0, min(end, b0 + int(rng.integers(4, 48)) * HOUR)),)
        owner = f"owner-{rng.integers(40)}"
        for node in range(size):
            offers.append(
                Offer(f"o{rack:06d}-{node:02d}", owner, cls, hardware, start, end, ask, busy)
            )
        rack += 1

    bids = []
    for i in range(n_bids):
        r = rng.random()
        quantity = (
            1 if r < 0.5 else int(rng.integers(2, 5)) if r < 0.8 else int(rng.integers(5, 17))
        )
        duration = int(np.clip(rng.lognormal(np.log(12), 0.9), 2, 72)) * HOUR
        start = NOW + int(rng.integers(0, 12 * 24)) * HOUR
        flexibility = [0, 0, 0, 2, 6, 12][rng.integers(6)] * HOUR
        if rng.random() < 0.7:
            cls = CLASSES[rng.integers(len(CLASSES))]
            base = HARDWARE[cls][0]
            constraints = ()
        else:
            cls = None
            constraints, base = OPEN_REQUESTS[rng.integers(len(OPEN_REQUESTS))]
        price = round(float(base * rng.lognormal(0.15, 0.4)), 3)
        created = NOW - int(rng.integers(1, 72)) * HOUR
        bids.append(
            Bid(
                f"b{i:06d}",
                f"renter-{rng.integers(200)}",
                quantity,
                cls,
                constraints,
                start,
                start + flexibility,
                duration,
                price,
                NOW,
                created,
            )
        )
    # Scale: demand should be ~1.5x supply in node-hours for a contested market; the
    # caller picks n_bids ~ n_offers, which with these distributions gives that.
    return offers, bids, NOW
