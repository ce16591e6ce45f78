"""``openstack market round ...``: the auction's clearing rounds."""

from osc_lib.command import command

from flocx_cli import common
from flocx_cli import http

LIST_COLUMNS = ('id', 'started_at', 'mechanism', 'offers_in', 'bids_in',
                'contracts', 'welfare', 'clearing_prices')


class ListRounds(command.Lister):
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
        return parser

    def take_action(self, args):
        rounds = self.app.client_manager.market.list(
            '/v1/rounds', 'rounds', http.AUCTION,
            params={'limit': args.limit, 'marker': args.marker})
        return common.table(rounds, LIST_COLUMNS)


class ShowRound(command.ShowOne):
    """Show one auction round: what came in, what cleared, at what prices."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('round', metavar='<id>', help='Round ID.')
        return parser

    def take_action(self, args):
        return common.show(self.app.client_manager.market.request(
            'GET', common.item_path('rounds', args.round), http.AUCTION))


class StartRound(command.ShowOne):
    """Clear the market now instead of at the next scheduled round (admin)."""

    def take_action(self, args):
        return common.show(self.app.client_manager.market.request(
            'POST', '/v1/rounds', http.AUCTION))
