"""``openstack market round ...`` and ``auction ...``: the auction's rounds,
its engine's status and its mechanism."""

import logging

from cliff import columns

from flocxclient import exceptions

from flocx_cli import common

LOG = logging.getLogger(__name__)

LIST_COLUMNS = ('id', 'started_at', 'mechanism', 'offers_in', 'bids_in',
                'contracts', 'clearing_prices')
LONG_COLUMNS = ('finished_at', 'duration_ms', 'welfare', 'rejected',
                'refused', 'host')


class ListRounds(common.Lister):
    """List auction rounds, newest first."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--limit', metavar='<n>', type=int,
            help='Return at most <n> rounds: one page, with --marker for the '
                 'next. Without --limit every page is fetched.')
        parser.add_argument(
            '--marker', metavar='<id>',
            help='Start after the round with this ID (the last of the '
                 'previous page).')
        common.add_long_option(parser)
        return parser

    def take_action(self, args):
        rounds = self.flocx.list_rounds(limit=args.limit, marker=args.marker)
        return common.table(rounds, LIST_COLUMNS, long_fields=LONG_COLUMNS,
                            long=args.long)


class ShowRound(common.ShowOne):
    """Show one auction round: what came in, what cleared, at what prices."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('round', metavar='<id>', help='Round ID.')
        return parser

    def take_action(self, args):
        return common.show(self.flocx.get_round(args.round))


class StartRound(common.ShowOne):
    """Clear the market now instead of at the next scheduled round (admin).

    When no bid was waiting because the periodic round had just taken them,
    says so (on stderr), with that round.
    """

    def take_action(self, args):
        started = self.flocx.start_round()
        if not started.get('bids_in'):
            self._explain_empty(started)
        return common.show(started)

    def _explain_empty(self, started):
        try:
            previous = [r for r in self.flocx.list_rounds(limit=2)
                        if r.get('id') != started.get('id')]
        except exceptions.ClientException as e:
            LOG.debug('Rounds not listed: %s', e)
            return
        if not previous or not previous[0].get('bids_in'):
            LOG.warning('No bid was waiting for this round.')
            return
        last = previous[0]
        ago = ''
        when = common.parse_time(last.get('started_at'))
        if when is not None:
            ago = f' {(common.utcnow() - when).total_seconds():.0f} s ago'
        LOG.warning(
            'No bid was waiting: the periodic round %s%s already took %s '
            'bid(s) and %s offer(s) (openstack market round show %s).',
            last['id'], ago, last['bids_in'], last.get('offers_in', 0),
            last['id'])


class MechanismsColumn(columns.FormattableColumn):
    """One ``name: description`` line per mechanism in tables."""

    def human_readable(self):
        return '\n'.join(f'{m["name"]}: {m["description"]}'
                         for m in self._value or [])

    def machine_readable(self):
        return list(self._value or [])


class ShowAuctionStatus(common.ShowOne):
    """Show the auction engine: leader, mechanism, round interval, book."""

    def take_action(self, args):
        return common.show(self.flocx.get_auction_status())


class ShowMechanism(common.ShowOne):
    """Show the auction mechanism in use and the ones available."""

    def take_action(self, args):
        mechanism = self.flocx.get_mechanism()
        return common.show(mechanism, {'available': MechanismsColumn})
