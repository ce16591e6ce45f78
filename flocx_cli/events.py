"""``openstack market event list``: what happened to your orders and contracts.

The market records an event for every party of every change (an offer
created, a bid expired, a contract started...). Events are numbered in the
order they happened; ``--since`` reads only the ones after a number already
seen, which is how a script follows the feed.
"""

from osc_lib.command import command

from flocx_cli import common

# Within the API's default maximum page size (1,000).
PAGE = 500
COLUMNS = ('id', 'created_at', 'event_type', 'object_type', 'object_uuid',
           'project_id', 'detail')


class ListEvents(command.Lister):
    """List your project's events, oldest first (admin: every project's)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--since', metavar='<id>', type=int, default=0,
            help='Only events after the one with this id (the last one you '
                 'have seen).')
        parser.add_argument(
            '--object', metavar='<uuid>',
            help='Only events of this offer, bid or contract.')
        parser.add_argument(
            '--limit', metavar='<n>', type=int,
            help='Return at most <n> events. Without --limit every event '
                 'since --since is fetched.')
        return parser

    def take_action(self, args):
        market = self.app.client_manager.market
        page_size = args.limit or PAGE
        events, since = [], args.since
        while True:
            page = market.request('GET', '/v1/events', params={
                'since': since, 'object_uuid': args.object,
                'limit': page_size})['events']
            events.extend(page)
            # The feed has no next link: a short page is its end.
            if args.limit is not None or len(page) < page_size:
                return common.table(events, COLUMNS)
            since = page[-1]['id']
