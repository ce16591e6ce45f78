"""``openstack market lease ...``: nodes lent inside an organization.

An owner lends a node of its project to one of its child projects in
Keystone directly, through its cloud's provider API, without the market.
"""

from flocx_cli import common

LIST_COLUMNS = ('uuid', 'node_uuid', 'project_id', 'lessee_project_id',
                'start_time', 'end_time', 'status')
LONG_COLUMNS = ('status_reason', 'created_at', 'updated_at')
STATUSES = ('scheduled', 'active', 'completed', 'cancelled', 'failed')
SORT_KEYS = ('created_at', 'updated_at', 'start_time', 'end_time')


class CreateLease(common.ShowOne):
    """Lend one of your project's nodes to a child project (provider API)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--node', metavar='<node>', required=True,
            help='Ironic node UUID or name, owned by your project.')
        parser.add_argument(
            '--lessee', metavar='<project>', required=True,
            help='The child project (name or ID) that gets the node.')
        parser.add_argument(
            '--lessee-domain', metavar='<domain>',
            help='Domain of the lessee project (name or ID), where project '
                 'names collide.')
        parser.add_argument(
            '--start', metavar='<time>', required=True, type=common.time,
            help=f'When the lessee gets the node: {common.TIME_HELP}.')
        parser.add_argument(
            '--end', metavar='<time>', required=True, type=common.time,
            help=f'When the node returns to you: {common.TIME_HELP}.')
        return parser

    def take_action(self, args):
        lessee = common.project_id(self.app, args, 'lessee', 'lessee_domain')
        return common.show(self.flocx.create_lease({
            'node': args.node, 'project_id': lessee,
            'start_time': args.start, 'end_time': args.end}))


class ListLeases(common.Lister):
    """List leases of your project's nodes, or to your project."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--status', choices=STATUSES,
                            help='Only leases with this status.')
        common.add_project_option(
            parser, 'Only leases by this owner project, name or ID (admin).')
        parser.add_argument(
            '--lessee', metavar='<project>',
            help='Only leases to this project, name or ID.')
        parser.add_argument('--node', metavar='<uuid>',
                            help='Only leases of the node with this UUID.')
        common.add_time_filters(parser)
        common.add_list_options(parser, SORT_KEYS)
        return parser

    def take_action(self, args):
        leases = self.flocx.list_leases(**common.list_params(
            args, status=args.status,
            project_id=common.project_id(self.app, args),
            lessee_project_id=common.project_id(self.app, args, 'lessee',
                                                'project_domain'),
            node_uuid=args.node, **common.time_filters(args)))
        return common.table(leases, LIST_COLUMNS, long_fields=LONG_COLUMNS,
                            long=args.long)


class ShowLease(common.ShowOne):
    """Show one lease."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('lease', metavar='<uuid>', help='Lease UUID.')
        return parser

    def take_action(self, args):
        return common.show(self.flocx.get_lease(args.lease))


class CancelLease(common.ActOnEach):
    """End leases: the nodes return to their owner."""

    resource = 'lease'

    def act(self, ident):
        self.flocx.cancel_lease(ident)
