"""The long fuzzing run: ``python -m tests.unit.fuzz.run`` (tox -e fuzz).

Defaults send well over 10,000 requests to each of the three APIs and print
how many each got, per persona and per status, and every distinct failure
(a 5xx, a 503 without Retry-After, an error that is not the API-SIG JSON
body, a 2xx that does not match the OpenAPI description). Exit status 1 if
anything failed.

``--keystone fixture`` (the default): noauth personas and
keystonemiddleware's AuthTokenFixture tokens. ``--keystone real``: a real
Keystone (and Ironic, for the provider) started on loopback in a temporary
directory, keystonemiddleware in each app validating real tokens of every
secure-RBAC persona with it (tests/functional/fuzz/real_keystone.py); needs
functional-requirements.txt.

``--shape deployed`` (with ``--keystone real``): the APIs as a deployment
runs them instead of in process: each ``flocx-*-api`` served by uWSGI, with
the market manager, the auction engine and the provider manager, one
process each, the market and provider databases on a private PostgreSQL,
every process talking over a private RabbitMQ (tests/servers.py: started
for this run, in a temporary directory, and stopped after it; never the
machine's own servers), behind the real Keystone and Ironic
(tests/functional/fuzz/deployed.py). Requests go over HTTP; no answer
within 30 s is a failure, and so is an ERROR line in a service's log.
"""

import argparse
import logging
import os
import shutil
import sys
import tempfile
import time

from tests.unit.fuzz import harness

# examples per operation and generation mode: noauth, keystone; each API
# gets over 10,000 requests (the auction and provider APIs have fewer
# operations than the market, so more examples each)
DEFAULTS = {'market': (170, 50), 'auction': (700, 150),
            'provider': (510, 150)}
# --keystone real: every request through the real Keystone.
REAL_DEFAULTS = {'market': 190, 'auction': 850, 'provider': 650}
# --keystone real also fuzzes the auction API with no engine answering
# (every call that needs one is a 503 after [auction] api_answer_timeout,
# 1 s, so fewer examples).
NO_ENGINE_EXAMPLES = 12
# --shape deployed: as --keystone real; with the engine stopped each call
# that needs it waits [auction] api_answer_timeout (5 s by default) for
# its 503.
DEPLOYED_NO_ENGINE_EXAMPLES = 3


def run_fixture(args, stats):
    for api in args.api or sorted(DEFAULTS):
        examples, keystone = (max(1, int(n * args.scale))
                              for n in DEFAULTS[api])
        began = time.monotonic()
        harness.fuzz_api(api, stats, examples, keystone, seed=args.seed)
        print(f'{api}: {stats.requests[api]} requests in '
              f'{time.monotonic() - began:.0f} s', flush=True)


def run_real(args, stats):
    from flocx_local import identity
    from flocx_local import openstack as local_openstack
    from tests.functional.fuzz import real_keystone

    run_dir = tempfile.mkdtemp(prefix='fuzz-realstack-')
    cloud = local_openstack.LocalOpenStack(
        run_dir, cache_dir=os.environ.get('FLOCX_OPENSTACK_CACHE',
                                          local_openstack.DEFAULT_CACHE_DIR))
    began = time.monotonic()
    try:
        cloud.start()
        conn = identity.admin_connection(cloud.auth_url,
                                         cloud.password('admin'))
        passwords = identity.ensure_rbac_personas(
            conn, cloud.state['passwords'], cloud.state)
        nodes = cloud.enroll_nodes('org-a', 2)
        print(f'Keystone {cloud.auth_url}, Ironic {cloud.ironic_url} ready '
              f'in {time.monotonic() - began:.0f} s', flush=True)
        apis = args.api or sorted(REAL_DEFAULTS)
        if 'auction' in apis:
            apis = apis + ['auction-no-engine']
        for api in apis:
            examples = max(1, int(REAL_DEFAULTS.get(
                api, NO_ENGINE_EXAMPLES) * args.scale))
            began = time.monotonic()
            real_keystone.fuzz_api(api, stats, examples, cloud, passwords,
                                   nodes=nodes, seed=args.seed)
            print(f'{api}: {stats.requests[api]} requests in '
                  f'{time.monotonic() - began:.0f} s', flush=True)
    finally:
        cloud.stop()
        shutil.rmtree(run_dir, ignore_errors=True)


def run_deployed(args, stats):
    from tests.functional.fuzz import deployed
    from tests import servers

    apis = args.api or sorted(REAL_DEFAULTS)
    examples = {api: max(1, int(REAL_DEFAULTS[api] * args.scale))
                for api in apis}
    # This run's own servers, stopped (and checked for leftovers) after,
    # and their temporary folder removed.
    try:
        with servers.PostgreSQL() as postgresql, \
                servers.RabbitMQ() as rabbitmq:
            errors = deployed.run(
                apis, examples, stats, postgresql, rabbitmq,
                no_engine_examples=max(1, int(DEPLOYED_NO_ENGINE_EXAMPLES *
                                              args.scale)),
                seed=args.seed, say=lambda line: print(line, flush=True))
    finally:
        servers.stop_all(check=False)
    for line in errors:
        stats.fail('logs', 'ERROR line', line, line)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--api', action='append', choices=sorted(DEFAULTS),
                        help='only this API (repeatable)')
    parser.add_argument('--keystone', choices=('fixture', 'real'),
                        default='fixture',
                        help='keystonemiddleware\'s fixture tokens and '
                             'noauth personas, or a real Keystone')
    parser.add_argument('--shape', choices=('in-process', 'deployed'),
                        default='in-process',
                        help='the apps in process on SQLite and the fake '
                             'transport, or served by uWSGI on a private '
                             'PostgreSQL and RabbitMQ (needs --keystone '
                             'real)')
    parser.add_argument('--scale', type=float, default=1.0,
                        help='multiply the default example counts')
    parser.add_argument('--seed', type=int, default=None,
                        help='random seed (default: derandomized)')
    args = parser.parse_args(argv)
    if args.shape == 'deployed' and args.keystone != 'real':
        parser.error('--shape deployed needs --keystone real')
    logging.disable(logging.CRITICAL)  # the services' logs are not needed
    stats = harness.Stats()
    started = time.monotonic()
    if args.shape == 'deployed':
        run_deployed(args, stats)
    elif args.keystone == 'real':
        run_real(args, stats)
    else:
        run_fixture(args, stats)
    print()
    print(stats.summary())
    print(f'{time.monotonic() - started:.0f} s')
    for failure in stats.failures:
        print(f"\n{failure['api']} {failure['operation']}: "
              f"{failure['problem']}\n    {failure['request']}")
    return 1 if stats.failures else 0


if __name__ == '__main__':
    sys.exit(main())
