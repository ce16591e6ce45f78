"""``openstack market node list``: the nodes an owner could offer.

The provider lists the Ironic nodes the caller's project owns, with the
hardware an offer of each carries (what bids are matched on) and whether it
can be offered now, or why not.
"""

from flocx_cli import common

LIST_COLUMNS = ('uuid', 'name', 'resource_class', 'provision_state',
                'offerable')
LONG_COLUMNS = ('properties', 'maintenance', 'not_offerable_reason')


class ListNodes(common.Lister):
    """List your project's Ironic nodes, as offers of them would carry them
    (provider API)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        common.add_long_option(parser)
        return parser

    def take_action(self, args):
        return common.table(self.flocx.list_nodes(), LIST_COLUMNS,
                            long_fields=LONG_COLUMNS, long=args.long)
