"""bench/auction_gap_anatomy.py's packing test, on which its figures stand."""

import importlib.util
import types
from pathlib import Path

import numpy as np

BENCH = Path(__file__).resolve().parents[2] / "bench"


def load():
    spec = importlib.util.spec_from_file_location("auction_gap_anatomy",
                                                  BENCH / "auction_gap_anatomy.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def instance(compatible, quantity, start, end):
    return types.SimpleNamespace(C=np.array(compatible, dtype=bool), N=np.array(quantity),
                                 S=np.array(start), E=np.array(end))


def test_a_bid_that_fits_only_if_an_earlier_contract_moves():
    anatomy = load()
    # Bid 0 (one of two nodes) was placed on node 0; bid 1 needs node 0 at an
    # overlapping time: it fits only with bid 0 moved to node 1.
    inst = instance([[1, 1], [1, 0]], [1, 1], [0, 5], [10, 15])
    assert not anatomy.fits_together(inst, [0, 1], {0: np.array([0])}, 10)
    assert anatomy.fits_together(inst, [0, 1], {}, 10)
    # After bid 0 ends, node 0 is free for it wherever bid 0 was.
    later = instance([[1, 1], [1, 0]], [1, 1], [0, 10], [10, 15])
    assert anatomy.fits_together(later, [0, 1], {0: np.array([0])}, 10)


def test_a_bid_blocked_however_the_earlier_contracts_are_placed():
    anatomy = load()
    inst = instance([[1, 1], [1, 1]], [1, 2], [0, 5], [10, 15])
    assert not anatomy.fits_together(inst, [0, 1], {}, 10)
