"""``openstack market bid ...``: what renters ask for.

Bids are sealed: a project sees only its own (an admin sees all).
"""

import argparse
import math
import re
import time

from cliff import columns
from osc_lib import exceptions as osc_exceptions

from flocx_cli import common

LIST_COLUMNS = ('uuid', 'quantity', 'resource_class', 'start_time',
                'duration', 'price', 'status')
LONG_COLUMNS = ('project_id', 'constraints', 'latest_start_time',
                'decide_by', 'span_clouds', 'status_reason', 'created_at',
                'updated_at')
# How often --wait asks whether the bid was decided.
WAIT_INTERVAL = 2.0
STATUSES = ('open', 'contracted', 'cancelled', 'expired')
SORT_KEYS = ('created_at', 'updated_at', 'start_time', 'price')

# "memory_mb>=65536", "cpu_arch in x86_64,aarch64", "traits has CUSTOM_GPU".
# Two-character operators come first so that "<=" is not read as "<".
CONSTRAINT = re.compile(
    r'^\s*(?P<property>[A-Za-z0-9_.:-]{1,64})\s*'
    r'(?:(?P<symbol>==|!=|<=|>=|<|>)|\s(?P<word>in|has)\s)'
    r'\s*(?P<value>[^\s=<>!].*?)\s*$')


def constraint(text):
    """``{"property", "op", "value"}`` from ``memory_mb>=65536`` and the like.

    Numbers become JSON numbers and true/false booleans, so that
    ``cpus>=16`` compares numbers; ``in`` takes a comma-separated list.
    """
    match = CONSTRAINT.match(text)
    if not match:
        raise argparse.ArgumentTypeError(
            f'{text!r} is not a constraint: use <property><op><value> with op '
            'one of == != < <= > >=, or "<property> in <v1>,<v2>,..." or '
            '"<property> has <value>".')
    op = match['symbol'] or match['word']
    value = match['value']
    if op == 'in':
        value = [_scalar(v.strip()) for v in value.split(',') if v.strip()]
    else:
        value = _scalar(value)
    return {'property': match['property'], 'op': op, 'value': value}


def _scalar(text):
    for convert in (int, float):
        try:
            number = convert(text)
        except ValueError:
            continue
        if math.isfinite(number):
            return number
    return {'true': True, 'false': False}.get(text.lower(), text)


class ConstraintsColumn(columns.FormattableColumn):
    """``memory_mb >= 65536, traits has CUSTOM_GPU`` in tables."""

    def human_readable(self):
        def value(v):
            return ','.join(map(str, v)) if isinstance(v, list) else str(v)
        return ', '.join(f"{c['property']} {c['op']} {value(c['value'])}"
                         for c in self._value or [])

    def machine_readable(self):
        return list(self._value or [])


FORMATTERS = {'constraints': ConstraintsColumn}


class CreateBid(common.ShowOne):
    """Ask for nodes: how many, what kind, when, for how long, at what price."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--quantity', metavar='<n>', type=int, default=1,
            help='Number of nodes wanted, all for the same window '
                 '(default 1).')
        parser.add_argument(
            '--resource-class', metavar='<class>',
            help='Only nodes of this resource class, e.g. baremetal '
                 '(default: any).')
        parser.add_argument(
            '--constraint', metavar='<constraint>', type=constraint,
            action='append', dest='constraints', default=[],
            help='A requirement on the node\'s properties, e.g. '
                 '"memory_mb>=65536", "cpu_arch==x86_64", '
                 '"cpu_arch in x86_64,aarch64", "traits has CUSTOM_GPU". '
                 'Operators: == != < <= > >= in has. Numbers are compared '
                 'as numbers. Repeat for several; all must hold.')
        parser.add_argument(
            '--start', metavar='<time>', required=True, type=common.time,
            help=f'Earliest start: {common.TIME_HELP}.')
        parser.add_argument(
            '--latest-start', metavar='<time>', type=common.time,
            help='Latest acceptable start, if the start may slide '
                 f'(default: exactly --start): {common.TIME_HELP}.')
        parser.add_argument(
            '--duration', metavar='<duration>', required=True,
            type=common.duration,
            help=f'How long the nodes are needed: {common.DURATION_HELP}. '
                 'At least 60 seconds.')
        parser.add_argument(
            '--price', metavar='<price>', required=True, type=common.price,
            help='Highest price per node-hour you will pay (a decimal '
                 'number, sent exactly as written).')
        parser.add_argument(
            '--decide-by', metavar='<time>', type=common.time,
            help='Give up if not matched by this time; not after the latest '
                 'start. Default: the auction answers a bid '
                 'answer_before_start (12 h unless the operator changed it: '
                 'see "openstack market auction show") before its earliest '
                 'start, or in its next round when the start is nearer '
                 f'than that: {common.TIME_HELP}.')
        parser.add_argument(
            '--span-clouds', action='store_true',
            help='The nodes may be in several clouds. Default: a bid of '
                 'several nodes gets all of them in one cloud, or none '
                 '(marketplace microversion 1.2).')
        parser.add_argument(
            '--wait', action='store_true',
            help='Wait until the bid is decided (contracted, expired or '
                 'cancelled) and show it then.')
        return parser

    def take_action(self, args):
        body = {'quantity': args.quantity, 'start_time': args.start,
                'duration': args.duration, 'price': args.price}
        optional = {'resource_class': args.resource_class,
                    'constraints': args.constraints,
                    'latest_start_time': args.latest_start,
                    'decide_by': args.decide_by,
                    # Sent only when set: a 1.0/1.1 market refuses the field.
                    'span_clouds': args.span_clouds}
        body.update({k: v for k, v in optional.items() if v})
        bid = self.flocx.create_bid(body)
        if args.wait:
            bid = wait_for_decision(self.flocx, bid)
        return common.show(bid, FORMATTERS)


def wait_for_decision(flocx, bid, interval=None, clock=time.monotonic,
                      sleep=time.sleep):
    """The bid once it is no longer open.

    The market decides every bid by its decide_by at the latest (the
    auction answers it, or the market expires it), so this ends; a bid
    still open well after that means the market is not running, which is
    an error rather than a reason to wait forever.
    """
    interval = interval or WAIT_INTERVAL
    deadline = None
    decide_by = common.parse_time(bid.get('decide_by'))
    if decide_by is not None:
        deadline = clock() + max(
            0, (decide_by - common.utcnow()).total_seconds()) + 300
    while bid['status'] == 'open':
        if deadline is not None and clock() > deadline:
            raise osc_exceptions.CommandError(
                f'Bid {bid["uuid"]} is still open 5 minutes after its '
                f'decide_by ({bid["decide_by"]}): is the market running?')
        sleep(interval)
        bid = flocx.get_bid(bid['uuid'])
    return bid


class ListBids(common.Lister):
    """List your project's bids (an admin sees every project's)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--status', choices=STATUSES,
                            help='Only bids with this status.')
        parser.add_argument('--resource-class', metavar='<class>',
                            help='Only bids for this resource class.')
        common.add_project_option(
            parser, 'Only bids by this project, name or ID (admin).')
        common.add_time_filters(parser, ends=False)
        common.add_list_options(parser, SORT_KEYS)
        return parser

    def take_action(self, args):
        bids = self.flocx.list_bids(**common.list_params(
            args, status=args.status, resource_class=args.resource_class,
            project_id=common.project_id(self.app, args),
            **common.time_filters(args)))
        return common.table(bids, LIST_COLUMNS, FORMATTERS,
                            long_fields=LONG_COLUMNS, long=args.long)


class ShowBid(common.ShowOne):
    """Show one of your bids."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('bid', metavar='<uuid>', help='Bid UUID.')
        return parser

    def take_action(self, args):
        return common.show(self.flocx.get_bid(args.bid), FORMATTERS)


class CancelBid(common.ActOnEach):
    """Cancel open bids of yours."""

    resource = 'bid'

    def act(self, ident):
        self.flocx.cancel_bid(ident)
