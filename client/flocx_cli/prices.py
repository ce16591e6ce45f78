"""``openstack market price list``: what the market has been clearing at.

The auction API publishes aggregates only: clearing prices per round and
the current depth of the book; no bid's price is ever revealed.
"""

from flocx_cli import common

PRICE_COLUMNS = ('resource_class', 'round_id', 'time', 'price')
DEPTH_COLUMNS = ('resource_class', 'offers', 'nodes_on_offer', 'lowest_ask',
                 'bids', 'nodes_wanted')


class ListPrices(common.Lister):
    """List clearing prices per resource class and round, or the book depth."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--resource-class', metavar='<class>',
                            help='Only this resource class.')
        parser.add_argument('--since', metavar='<time>', type=common.time,
                            help=f'Only prices from rounds since this time '
                                 f'(default: every recorded round): '
                                 f'{common.TIME_HELP}.')
        parser.add_argument(
            '--depth', action='store_true',
            help='Show the depth of the book instead: per resource class, '
                 'the open offers and nodes on offer, the lowest asking '
                 'price, and the open bids and nodes wanted.')
        return parser

    def take_action(self, args):
        body = self.flocx.get_prices(resource_class=args.resource_class,
                                     since=args.since)
        if args.depth:
            return common.table(body['depth'], DEPTH_COLUMNS)
        return common.table(body['prices'], PRICE_COLUMNS)
