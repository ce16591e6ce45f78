"""GET /v1/offers in process, with and without the speed patches of
flocx_common.api.library_patches (``UNPATCHED=1`` undoes them)::

    PYTHONPATH=. python bench/library_patches.py
    UNPATCHED=1 PYTHONPATH=. python bench/library_patches.py
"""

import logging
import os
import time

import pecan.core
import pecan.rest
import pecan.routing
from oslo_middleware import base as middleware_base
from oslo_policy import _checks as policy_checks

MODULES = (pecan.core, pecan.rest, pecan.routing)
ORIGINAL = ({m: m.getargspec for m in MODULES},
            middleware_base.getfullargspec, policy_checks.inspect)

from flocx_common.api import app  # noqa: E402,F401  (applies the patches)
from tests.unit import base  # noqa: E402
from tests.unit.market import base as market_base  # noqa: E402


def main():
    unpatched = os.environ.get('UNPATCHED') == '1'
    if unpatched:
        for module, spec in ORIGINAL[0].items():
            module.getargspec = spec
        middleware_base.getfullargspec = ORIGINAL[1]
        policy_checks.inspect = ORIGINAL[2]
    logging.disable(logging.CRITICAL)
    market = market_base.MarketFixture()
    market.setUp()
    client = base.Client(market.app, 'org-a')
    for _ in range(200):
        client.get('/v1/offers')
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(1000):
            client.get('/v1/offers')
        runs.append((time.perf_counter() - started) * 1000)
    print(f"{'unpatched' if unpatched else 'patched'}: "
          f'{min(runs):.0f} us per request (best of 5 x 1,000)')
    market.cleanUp()


if __name__ == '__main__':
    main()
