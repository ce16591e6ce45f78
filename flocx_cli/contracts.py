"""``openstack market contract ...``: what the auction agreed.

Contracts are written by the auction engine; the renter and the owners of
the nodes see them.
"""

from osc_lib.command import command

from flocx_cli import common

LIST_COLUMNS = ('uuid', 'bid_uuid', 'project_id', 'start_time', 'end_time',
                'price', 'cost', 'status')
STATUSES = ('scheduled', 'active', 'completed', 'cancelled', 'failed')
SORT_KEYS = ('created_at', 'updated_at', 'start_time', 'end_time', 'price')


class ListContracts(command.Lister):
    """List contracts your project rents or lends nodes in (admin: all)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--status', choices=STATUSES,
                            help='Only contracts with this status.')
        parser.add_argument('--bid', metavar='<uuid>',
                            help='Only the contract(s) made for this bid.')
        parser.add_argument('--project', metavar='<project-id>',
                            help='Only contracts of this renter project ID.')
        common.add_list_options(parser, SORT_KEYS)
        return parser

    def take_action(self, args):
        contracts = self.app.client_manager.market.list(
            '/v1/contracts', 'contracts', params=common.list_params(
                args, status=args.status, bid_uuid=args.bid,
                project_id=args.project))
        return common.table(contracts, LIST_COLUMNS)


class ShowContract(command.ShowOne):
    """Show one contract, with the nodes it books."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('contract', metavar='<uuid>',
                            help='Contract UUID.')
        return parser

    def take_action(self, args):
        return common.show(self.app.client_manager.market.request(
            'GET', common.item_path('contracts', args.contract)))
