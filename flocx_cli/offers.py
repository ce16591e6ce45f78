"""``openstack market offer ...``: nodes offered for rent.

Owners publish offers through their deployment's provider API, which checks
in Ironic that the node is theirs; the market lists and cancels them.
"""

from osc_lib.command import command

from flocx_cli import common
from flocx_cli import http

LIST_COLUMNS = ('uuid', 'project_id', 'resource_class', 'start_time',
                'end_time', 'price', 'status')
STATUSES = ('open', 'cancelled', 'expired')
SORT_KEYS = ('created_at', 'updated_at', 'start_time', 'end_time', 'price')


class CreateOffer(command.ShowOne):
    """Offer one of your project's Ironic nodes for rent (provider API)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--node', metavar='<node>', required=True,
            help='Ironic node UUID or name, owned by your project.')
        parser.add_argument(
            '--start', metavar='<time>', required=True, type=common.time,
            help=f'When renters may start using the node: {common.TIME_HELP}.')
        parser.add_argument(
            '--end', metavar='<time>', required=True, type=common.time,
            help=f'When the node returns to you: {common.TIME_HELP}.')
        parser.add_argument(
            '--price', metavar='<price>', required=True, type=float,
            help='Lowest price per node-hour you accept.')
        return parser

    def take_action(self, args):
        offer = self.app.client_manager.market.request(
            'POST', '/v1/offers', http.PROVIDER,
            json={'node': args.node, 'start_time': args.start,
                  'end_time': args.end, 'price': args.price})
        return common.show(offer)


class ListOffers(command.Lister):
    """List offers on the market: all open ones, and your own of any status."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--status', choices=STATUSES,
                            help='Only offers with this status.')
        parser.add_argument('--resource-class', metavar='<class>',
                            help='Only offers of nodes of this resource '
                                 'class, e.g. baremetal.')
        parser.add_argument('--project', metavar='<project-id>',
                            help='Only offers by this (owner) project ID.')
        parser.add_argument('--node', metavar='<uuid>',
                            help='Only offers of the node with this UUID.')
        common.add_list_options(parser, SORT_KEYS)
        return parser

    def take_action(self, args):
        offers = self.app.client_manager.market.list(
            '/v1/offers', 'offers', params=common.list_params(
                args, status=args.status, resource_class=args.resource_class,
                project_id=args.project, resource_uuid=args.node))
        return common.table(offers, LIST_COLUMNS)


class ShowOffer(command.ShowOne):
    """Show one offer."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('offer', metavar='<uuid>', help='Offer UUID.')
        return parser

    def take_action(self, args):
        return common.show(self.app.client_manager.market.request(
            'GET', common.item_path('offers', args.offer)))


class CancelOffer(command.ShowOne):
    """Withdraw one of your offers from the market (not once it is booked)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('offer', metavar='<uuid>', help='Offer UUID.')
        return parser

    def take_action(self, args):
        return common.show(self.app.client_manager.market.request(
            'DELETE', common.item_path('offers', args.offer)))
