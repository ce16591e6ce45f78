"""Concurrent order writers racing the auction's rounds, as a benchmark.

The same stack and checks as tests/hardening/test_concurrency.py, with the
numbers on the command line:

    python bench/hardening_bench.py --backend mariadb --writers 1000 \\
        --orders 3 --mechanism fcfs

Prints the command line, then orders written, cancellations, contracts,
rounds, elapsed, and the invariant checks done in the database (all must be
0). Exit status 1 when an invariant broke or a request got a 5xx. Logs stay
in --dir; the database is dropped.
"""

import argparse
import os
import pathlib
import shlex
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from tests.hardening import stack as stack_mod  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--backend', choices=('postgresql', 'mariadb'),
                        default='postgresql')
    parser.add_argument('--writers', type=int, default=1000,
                        help='concurrent writer threads, each with its own '
                             'HTTP connection (default: %(default)s)')
    parser.add_argument('--orders', type=int, default=3,
                        help='orders per writer (default: %(default)s)')
    parser.add_argument('--nodes', type=int, default=150,
                        help='nodes the offers share (default: %(default)s)')
    parser.add_argument('--api-workers', type=int, default=3)
    parser.add_argument('--engines', type=int, default=2)
    parser.add_argument('--round-interval', type=float, default=0.5)
    parser.add_argument('--mechanism', default='fcfs',
                        help='auction mechanism (default: %(default)s)')
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--dir', help='run directory (default: a new '
                                      'temporary one, kept for its logs)')
    args = parser.parse_args(argv)
    print('$ python ' + ' '.join(shlex.quote(a) for a in [
        os.path.relpath(__file__)] + sys.argv[1:]), flush=True)
    run_dir = args.dir or tempfile.mkdtemp(prefix='flocx-hardening-')
    stack = stack_mod.Stack(run_dir, args.backend,
                            api_workers=args.api_workers,
                            engines=args.engines,
                            round_interval=args.round_interval,
                            mechanism=args.mechanism)
    stack.start()
    try:
        since = stack_mod.utcnow()
        answers = stack_mod.Answers()
        writers = stack_mod.Writers(stack, answers, count=args.writers,
                                    orders=args.orders, nodes=args.nodes,
                                    seed=args.seed)
        elapsed, unfinished = writers.run(timeout=600)
        settled = stack.wait_until_answered(timeout=120)
        numbers = {'writers': args.writers,
                   'load elapsed (s)': elapsed,
                   'writers unfinished': unfinished,
                   'until every bid was answered (s)': settled}
        numbers.update(stack_mod.figures(stack.db, answers, since))
        numbers['orders/s'] = (len(answers.created['offer']) +
                               len(answers.created['bid'])) / elapsed
        problems = stack_mod.check_invariants(stack.db, answers)
        numbers.update({k: len(v) for k, v in problems.items()})
        numbers['logs'] = str(stack.layout.logs)
        stack_mod.print_report(
            f'{args.writers} writers on {args.backend} ({args.mechanism})',
            numbers)
        for error in answers.errors[:10]:
            print('  error:', error)
        bad = any(problems.values()) or answers.server_errors or unfinished
        return 1 if bad else 0
    finally:
        stack.stop()


if __name__ == '__main__':
    sys.exit(main())
