"""Auction mechanisms: stevedore plug-ins in the `flocx.auction.mechanisms` namespace."""

from __future__ import annotations

import importlib

import stevedore

NAMESPACE = "flocx.auction.mechanisms"

# The same table as setup.cfg, for running from a source tree that was never
# installed (entry points exist only once the package is installed).
BUILTIN = {
    "welfare": "flocx_auction.mechanisms.welfare:WelfareMechanism",
    "mcafee": "flocx_auction.mechanisms.mcafee:McAfeeMechanism",
    "pay_as_bid": "flocx_auction.mechanisms.pay_as_bid:PayAsBidMechanism",
    "fcfs": "flocx_auction.mechanisms.fcfs:FirstComeFirstServedMechanism",
}


def load(name: str):
    """An instance of the mechanism registered under `name`."""
    try:
        return stevedore.DriverManager(NAMESPACE, name, invoke_on_load=True).driver
    except stevedore.exception.NoMatches:
        if name not in BUILTIN:
            raise ValueError(f"unknown auction mechanism {name!r}") from None
        module, cls = BUILTIN[name].split(":")
        return getattr(importlib.import_module(module), cls)()
