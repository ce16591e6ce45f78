"""``openstack market contract ...``: what the auction agreed.

Contracts are written by the auction engine; the renter and the owners of
the nodes see them.
"""

from flocx_cli import common

LIST_COLUMNS = ('uuid', 'bid_uuid', 'project_id', 'start_time', 'end_time',
                'price', 'cost', 'status')
LONG_COLUMNS = ('nodes', 'status_reason', 'created_at', 'updated_at')
STATUSES = ('scheduled', 'active', 'completed', 'cancelled', 'failed')
SORT_KEYS = ('created_at', 'updated_at', 'start_time', 'end_time', 'price')


class ListContracts(common.Lister):
    """List contracts your project rents or lends nodes in (admin: all)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--status', choices=STATUSES,
                            help='Only contracts with this status.')
        parser.add_argument('--bid', metavar='<uuid>',
                            help='Only the contract(s) made for this bid.')
        common.add_project_option(
            parser, 'Only contracts of this renter project, name or ID.')
        common.add_time_filters(parser)
        common.add_list_options(parser, SORT_KEYS)
        return parser

    def take_action(self, args):
        contracts = self.flocx.list_contracts(**common.list_params(
            args, status=args.status, bid_uuid=args.bid,
            project_id=common.project_id(self.app, args),
            **common.time_filters(args)))
        return common.table(contracts, LIST_COLUMNS,
                            long_fields=LONG_COLUMNS, long=args.long)


class ShowContract(common.ShowOne):
    """Show one contract, with the nodes it books."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('contract', metavar='<uuid>',
                            help='Contract UUID.')
        return parser

    def take_action(self, args):
        return common.show(self.flocx.get_contract(args.contract))
