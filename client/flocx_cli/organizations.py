"""``openstack market organization ...``: the parties, across clouds.

An organization is known in several clouds by one project in each. The
market's administrators create and delete organizations; which of a cloud's
projects take part, and as which organization, is that cloud's system
administrators' decision (or the market's): ``organization project
add|remove``. Organizations are named by name or UUID.
"""

import uuid

from cliff import columns
from osc_lib import exceptions as osc_exceptions

from flocx_cli import common
from flocxclient import exceptions

LIST_COLUMNS = ('uuid', 'name', 'projects')
LONG_COLUMNS = ('description', 'created_at', 'updated_at')


class ProjectsColumn(columns.FormattableColumn):
    """Members as ``CLOUD:PROJECT_ID`` (how the market names a project of
    another cloud) in tables; the API's objects in -f json/yaml."""

    def human_readable(self):
        return ', '.join(f'{p["cloud"]}:{p["project_id"]}'
                         for p in self._value or [])

    def machine_readable(self):
        return list(self._value or [])


FORMATTERS = {'projects': ProjectsColumn}


def find(flocx, ident):
    """The UUID of the organization named or numbered ``ident``."""
    try:
        uuid.UUID(ident)
        return ident
    except ValueError:
        pass
    for organization in flocx.list_organizations():
        if organization['name'] == ident:
            return organization['uuid']
    raise osc_exceptions.CommandError(
        f'No organization named {ident} that you can see.')


class OrganizationArgument:
    """Mixin: a positional ``<organization>``, a name or a UUID."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('organization', metavar='<organization>',
                            help='Organization name or UUID.')
        return parser


class ListOrganizations(common.Lister):
    """List organizations (market readers: all; others: their own)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        common.add_long_option(parser)
        return parser

    def take_action(self, args):
        return common.table(self.flocx.list_organizations(), LIST_COLUMNS,
                            FORMATTERS, long_fields=LONG_COLUMNS,
                            long=args.long)


class ShowOrganization(OrganizationArgument, common.ShowOne):
    """Show one organization and the projects it is known by."""

    def take_action(self, args):
        return common.show(self.flocx.get_organization(
            find(self.flocx, args.organization)), FORMATTERS)


class CreateOrganization(common.ShowOne):
    """Create an organization (the market's admin)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('name', metavar='<name>',
                            help='Its name, unique on the market.')
        parser.add_argument('--description', metavar='<description>',
                            help='A description (up to 255 characters).')
        return parser

    def take_action(self, args):
        return common.show(self.flocx.create_organization(
            args.name, args.description), FORMATTERS)


class DeleteOrganization(common.ActOnEach):
    """Delete organizations (the market's admin)."""

    resource = 'organization'
    verb = 'delete'
    done = 'deleted'
    ident = 'name or UUID'

    def act(self, ident):
        try:
            self.flocx.delete_organization(find(self.flocx, ident))
        except osc_exceptions.CommandError as e:
            # Reported per organization, as the API's refusals are.
            raise exceptions.ClientException(str(e)) from e


def add_member_options(parser, verb):
    parser.add_argument(
        '--cloud', metavar='<cloud>', required=True,
        help=f'Name of the cloud whose project to {verb} (a registered '
             'cloud: see "cloud list").')
    parser.add_argument(
        '--project', metavar='<project-id>', required=True,
        help='ID of the project in that cloud (an ID: the project may be '
             'of another cloud than yours).')


class AddOrganizationProject(OrganizationArgument, common.ShowOne):
    """Make a cloud's project take part as an organization (that cloud's
    system admin, or the market's). A project takes part in one
    organization at most."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        add_member_options(parser, 'add')
        return parser

    def take_action(self, args):
        return common.show(self.flocx.add_organization_project(
            find(self.flocx, args.organization), args.cloud, args.project),
            FORMATTERS)


class RemoveOrganizationProject(OrganizationArgument, common.Command):
    """Stop a cloud's project taking part as an organization."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        add_member_options(parser, 'remove')
        return parser

    def take_action(self, args):
        self.flocx.remove_organization_project(
            find(self.flocx, args.organization), args.cloud, args.project)
