"""The long fuzzing run: ``python -m tests.unit.fuzz.run`` (tox -e fuzz).

Defaults send well over 10,000 requests across the three APIs and print
how many each got, the statuses, and every distinct failure (a 5xx, an
error that is not the API-SIG JSON body, a 2xx that does not match the
OpenAPI description). Exit status 1 if anything failed.
"""

import argparse
import logging
import sys
import time

from tests.unit.fuzz import harness

# examples per operation and generation mode: noauth, keystone; each API
# gets over 10,000 requests (the auction and provider APIs have fewer
# operations than the market, so more examples each)
DEFAULTS = {'market': (170, 50), 'auction': (700, 150),
            'provider': (510, 150)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--api', action='append', choices=sorted(DEFAULTS),
                        help='only this API (repeatable)')
    parser.add_argument('--scale', type=float, default=1.0,
                        help='multiply the default example counts')
    parser.add_argument('--seed', type=int, default=None,
                        help='random seed (default: derandomized)')
    args = parser.parse_args(argv)
    logging.disable(logging.CRITICAL)  # the services' logs are not needed
    stats = harness.Stats()
    started = time.monotonic()
    for api in args.api or sorted(DEFAULTS):
        examples, keystone = (max(1, int(n * args.scale))
                              for n in DEFAULTS[api])
        began = time.monotonic()
        harness.fuzz_api(api, stats, examples, keystone, seed=args.seed)
        print(f'{api}: {stats.requests[api]} requests in '
              f'{time.monotonic() - began:.0f} s', flush=True)
    print()
    print(stats.summary())
    print(f'{time.monotonic() - started:.0f} s')
    for failure in stats.failures:
        print(f"\n{failure['api']} {failure['operation']}: "
              f"{failure['problem']}\n    {failure['request']}")
    return 1 if stats.failures else 0


if __name__ == '__main__':
    sys.exit(main())
