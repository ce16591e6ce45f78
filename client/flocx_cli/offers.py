"""``openstack market offer ...``: nodes offered for rent.

Owners create offers through their cloud's provider API, which checks in
Ironic that the node is theirs and publishes the offer to the market under
the same UUID; ``offer list/show/cancel`` then go to the market (a cancel
there reaches the provider at once). ``provider offer list/show`` read the
provider's own record of its offers.
"""

import argparse

from cliff import columns

from flocx_cli import common

LIST_COLUMNS = ('uuid', 'project_id', 'resource_class', 'start_time',
                'end_time', 'price', 'status')
LONG_COLUMNS = ('resource_uuid', 'provider', 'properties', 'status_reason',
                'created_at', 'updated_at')
PROVIDER_LIST_COLUMNS = ('uuid', 'node_uuid', 'project_id', 'start_time',
                         'end_time', 'price', 'status')
PROVIDER_LONG_COLUMNS = ('resource_class', 'properties', 'status_reason',
                         'market_offer_uuid', 'created_at', 'updated_at')
STATUSES = ('open', 'cancelled', 'expired', 'withdrawn')
SORT_KEYS = ('created_at', 'updated_at', 'start_time', 'end_time', 'price')


class CreateOffer(common.ShowOne):
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
            '--price', metavar='<price>', required=True, type=common.price,
            help='Lowest price per node-hour you accept (a decimal number, '
                 'sent exactly as written).')
        return parser

    def take_action(self, args):
        offer = self.flocx.create_offer(args.node, args.start, args.end,
                                        args.price)
        return common.show(offer)


class PublishOffer(common.ShowOne):
    """Put an offer straight on the market (service or admin only).

    What provider services do for their owners; an owner offers its nodes
    with "offer create" instead, which checks the node in Ironic.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--project', metavar='<project>', required=True,
            help='Owner project (name or ID).')
        parser.add_argument(
            '--project-domain', metavar='<project-domain>',
            help='Domain of the owner project (name or ID).')
        parser.add_argument(
            '--resource-uuid', metavar='<uuid>', required=True,
            help='UUID of the node offered.')
        parser.add_argument(
            '--resource-class', metavar='<class>', required=True,
            help='Its resource class, e.g. baremetal.')
        parser.add_argument(
            '--provider', metavar='<name>',
            help='The provider service answering for the node (default: '
                 'none; the market then tells no provider about it).')
        parser.add_argument(
            '--property', metavar='<key=value>', action='append',
            dest='properties', default=[], type=_property,
            help='A property of the node (cpus, memory_mb, local_gb, '
                 'cpu_arch, traits=A,B or any other); repeat for several.')
        parser.add_argument(
            '--start', metavar='<time>', required=True, type=common.time,
            help=f'Start of the offered window: {common.TIME_HELP}.')
        parser.add_argument(
            '--end', metavar='<time>', required=True, type=common.time,
            help=f'End of the offered window: {common.TIME_HELP}.')
        parser.add_argument(
            '--price', metavar='<price>', required=True, type=common.price,
            help='Lowest price per node-hour (a decimal number).')
        return parser

    def take_action(self, args):
        body = {'project_id': common.project_id(self.app, args),
                'resource_uuid': args.resource_uuid,
                'resource_class': args.resource_class,
                'properties': dict(args.properties),
                'start_time': args.start, 'end_time': args.end,
                'price': args.price}
        if args.provider:
            body['provider'] = args.provider
        return common.show(self.flocx.publish_offer(body))


def _property(text):
    key, sep, value = text.partition('=')
    if not sep or not key:
        raise argparse.ArgumentTypeError(f'{text!r} is not <key>=<value>')
    if key == 'traits':
        return key, [t for t in value.split(',') if t]
    return key, _number(value)


def _number(text):
    try:
        return int(text)
    except ValueError:
        return text


class ListOffers(common.Lister):
    """List offers on the market: all open ones, and your own of any status."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--status', choices=STATUSES,
                            help='Only offers with this status.')
        parser.add_argument('--resource-class', metavar='<class>',
                            help='Only offers of nodes of this resource '
                                 'class, e.g. baremetal.')
        common.add_project_option(
            parser, 'Only offers by this (owner) project, name or ID.')
        parser.add_argument('--node', metavar='<uuid>',
                            help='Only offers of the node with this UUID.')
        common.add_time_filters(parser)
        common.add_list_options(parser, SORT_KEYS)
        return parser

    def take_action(self, args):
        offers = self.flocx.list_offers(**common.list_params(
            args, status=args.status, resource_class=args.resource_class,
            project_id=common.project_id(self.app, args),
            resource_uuid=args.node, **common.time_filters(args)))
        return common.table(offers, LIST_COLUMNS, long_fields=LONG_COLUMNS,
                            long=args.long)


class ShowOffer(common.ShowOne):
    """Show one offer (as the market has it)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('offer', metavar='<uuid>', help='Offer UUID.')
        return parser

    def take_action(self, args):
        return common.show(self.flocx.get_offer(args.offer))


class CancelOffer(common.ActOnEach):
    """Withdraw offers from the market and their provider (not once booked)."""

    resource = 'offer'

    def act(self, ident):
        self.flocx.cancel_offer(ident)


class WithdrawOffer(common.ActOnEach):
    """Take the unsold rest of offers off the market (owner).

    Unlike "offer cancel", allowed on a booked offer: contracts already made
    on it stand. Needs marketplace microversion 1.1.
    """

    resource = 'offer'
    verb = 'withdraw'
    done = 'withdrawn'

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--reason', metavar='<reason>',
            help='Why (up to 255 characters; default "withdrawn by its '
                 'owner"), shown as the offer\'s status reason.')
        return parser

    def take_action(self, args):
        self.reason = args.reason
        return super().take_action(args)

    def act(self, ident):
        self.flocx.withdraw_offer(ident, self.reason)


class SpansColumn(columns.FormattableColumn):
    """``[[start, end], ...]``: one ``start to end`` per line in tables."""

    def human_readable(self):
        return '\n'.join(f'{start} to {end}' for start, end in
                         self._value or [])

    def machine_readable(self):
        return [list(span) for span in self._value or []]


class ShowOfferAvailability(common.ShowOne):
    """Show an offer's calendar: its window, bookings and free spans (owner).

    Each booking's booked_until includes the cleaning gap after it. Needs
    marketplace microversion 1.1.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('offer', metavar='<uuid>', help='Offer UUID.')
        return parser

    def take_action(self, args):
        return common.show(self.flocx.get_offer_availability(args.offer),
                           {'free': SpansColumn})


class ListProviderOffers(common.Lister):
    """List your offers as your cloud's provider records them."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--status', choices=STATUSES,
                            help='Only offers with this status.')
        common.add_project_option(
            parser, 'Only offers by this project, name or ID (admin).')
        parser.add_argument('--node', metavar='<uuid>',
                            help='Only offers of the node with this UUID.')
        common.add_time_filters(parser)
        common.add_list_options(parser, SORT_KEYS)
        return parser

    def take_action(self, args):
        offers = self.flocx.list_provider_offers(**common.list_params(
            args, status=args.status,
            project_id=common.project_id(self.app, args),
            node_uuid=args.node, **common.time_filters(args)))
        return common.table(offers, PROVIDER_LIST_COLUMNS,
                            long_fields=PROVIDER_LONG_COLUMNS, long=args.long)


class ShowProviderOffer(common.ShowOne):
    """Show one offer as your cloud's provider records it."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('offer', metavar='<uuid>', help='Offer UUID.')
        return parser

    def take_action(self, args):
        return common.show(self.flocx.get_provider_offer(args.offer))


class CancelProviderOffer(common.ActOnEach):
    """Withdraw offers through your cloud's provider (same as offer cancel)."""

    resource = 'offer'

    def act(self, ident):
        self.flocx.cancel_provider_offer(ident)
