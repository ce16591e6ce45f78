"""``openstack market event list``: what happened to your orders and contracts.

The market records an event for every party of every change (an offer
created, a bid expired, a contract started...). Events are numbered in the
order they happened; ``--since`` reads only the ones after a number already
seen, which is how a script follows the feed.
"""

from flocx_cli import common

COLUMNS = ('id', 'created_at', 'event_type', 'object_type', 'object_uuid',
           'detail')
LONG_COLUMNS = ('project_id',)


class ListEvents(common.Lister):
    """List your project's events, oldest first (admin: every project's)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--since', metavar='<id>', type=int, default=0,
            help='Only events after the one with this id (the last one you '
                 'have seen; default 0: from the first).')
        parser.add_argument(
            '--object', metavar='<uuid>',
            help='Only events of this offer, bid or contract.')
        parser.add_argument(
            '--limit', metavar='<n>', type=int,
            help='Return at most <n> events. Without --limit every event '
                 'since --since is fetched.')
        common.add_long_option(parser)
        return parser

    def take_action(self, args):
        events = self.flocx.list_events(since=args.since,
                                        object_uuid=args.object,
                                        limit=args.limit)
        return common.table(events, COLUMNS, long_fields=LONG_COLUMNS,
                            long=args.long)
