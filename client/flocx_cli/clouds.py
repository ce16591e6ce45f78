"""``openstack market cloud ...``: the OpenStack clouds trading on the market.

Every party reads them (where nodes are is part of what is sold); only the
market's administrators (system scope) register and remove them. A cloud's
secrets are never here: the market's credential for checking a member
cloud's tokens is in its configuration (see "Joining a cloud to the
exchange" in the admin guide).
"""

import argparse

from flocx_cli import common

LIST_COLUMNS = ('name', 'site', 'keystone_url')
LONG_COLUMNS = ('description', 'endpoints', 'created_at', 'updated_at')


def _endpoint(text):
    service, sep, url = text.partition('=')
    if not sep or not service or not url:
        raise argparse.ArgumentTypeError(
            f'{text!r} is not <service-type>=<url>')
    return service, url


class ListClouds(common.Lister):
    """List the clouds that trade on the market."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        common.add_long_option(parser)
        return parser

    def take_action(self, args):
        return common.table(self.flocx.list_clouds(), LIST_COLUMNS,
                            long_fields=LONG_COLUMNS, long=args.long)


class ShowCloud(common.ShowOne):
    """Show one cloud: its Keystone, site and public endpoints."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('cloud', metavar='<name>', help='Cloud name.')
        return parser

    def take_action(self, args):
        return common.show(self.flocx.get_cloud(args.cloud))


class CreateCloud(common.ShowOne):
    """Register a cloud on the market (the market's admin)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'name', metavar='<name>',
            help='Name of the cloud, as its tokens name it in the '
                 'OpenStack-Market-Cloud header and the market\'s '
                 '[cloud:<name>] configuration.')
        parser.add_argument(
            '--keystone-url', metavar='<url>', required=True,
            help='Its Keystone (http or https), e.g. '
                 'https://keystone.cloud-b.example/v3.')
        parser.add_argument('--site', metavar='<site>',
                            help='Where its nodes are, e.g. boston: bids '
                                 'select sites with "site==boston".')
        parser.add_argument('--description', metavar='<description>',
                            help='A description (up to 255 characters).')
        parser.add_argument(
            '--endpoint', metavar='<service-type>=<url>', action='append',
            dest='endpoints', default=[], type=_endpoint,
            help='A public endpoint renters reach its nodes through, e.g. '
                 'baremetal=https://ironic.cloud-b.example; repeat for '
                 'several.')
        return parser

    def take_action(self, args):
        body = {'name': args.name, 'keystone_url': args.keystone_url}
        if args.site:
            body['site'] = args.site
        if args.description is not None:
            body['description'] = args.description
        if args.endpoints:
            body['endpoints'] = dict(args.endpoints)
        return common.show(self.flocx.create_cloud(body))


class DeleteCloud(common.ActOnEach):
    """Remove clouds from the market (the market's admin; none of whose
    projects is still in an organization)."""

    resource = 'cloud'
    verb = 'delete'
    done = 'deleted'
    ident = 'name'

    def act(self, ident):
        self.flocx.delete_cloud(ident)
