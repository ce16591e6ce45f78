"""``openstack market statement show`` and ``reliability list``: the money
and the owners' record (marketplace microversion 1.1).

A statement lists, for a month, every contract with charges in it: the
project's role (renter or owner), the billable node-hours and what was
paid, refunded, charged as fees or earned, as exact decimal strings.
``-f csv`` gives those lines, one per contract and party, for a
spreadsheet or a billing system.
"""

from cliff.formatters import commaseparated
import stevedore
import stevedore.extension

from flocx_cli import common

RELIABILITY_COLUMNS = ('owner_project_id', 'contracts', 'revocations')
CSV_COLUMNS = ('period', 'contract_uuid', 'project_id', 'role',
               'node_hours', 'paid', 'refunds', 'fees', 'earned')


class StatementCSV(commaseparated.CSVLister):
    """``-f csv`` for a statement: its lines, one per contract and party
    (cliff offers csv to listers only; a statement is a table of lines)."""

    def emit_one(self, column_names, data, stdout, parsed_args):
        self.emit_list(column_names, data, stdout, parsed_args)


class ShowStatement(common.ShowOne):
    """Show what your project paid and earned in a month.

    A system reader sees every organization (or one with --project) and
    the operator's surplus and fees. ``-f csv``: one line per contract and
    party.
    """

    def _load_formatter_plugins(self):
        plugins = super()._load_formatter_plugins()
        csv = StatementCSV()
        return stevedore.ExtensionManager.make_test_instance(
            [*plugins.extensions,
             stevedore.extension.Extension('csv', None, StatementCSV, csv)],
            namespace=plugins.namespace)

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--period', metavar='<YYYY-MM>',
            help='The month, e.g. 2026-12 (default: this month). Charges '
                 'fall in the month they were written in.')
        common.add_project_option(
            parser, 'Statement of this project, name or ID (system readers; '
                    'default: your own project, or all for a system '
                    'reader).')
        return parser

    def take_action(self, args):
        statement = self.flocx.get_statement(
            period=args.period,
            project_id=common.project_id(self.app, args))
        if args.formatter == 'csv':
            return common.table([dict(line, period=statement['period'])
                                 for line in statement['contracts']],
                                CSV_COLUMNS)
        return common.show(statement)


class ListReliability(common.Lister):
    """List owners' records: contracts had and contracts they revoked in."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        common.add_project_option(
            parser, 'Only this owner project, name or ID.')
        # --owner reads better here; --project stays for OSC habits.
        parser.add_argument('--owner', metavar='<project>', dest='project',
                            help='Same as --project: the owner project, '
                                 'name or ID.')
        return parser

    def take_action(self, args):
        owners = self.flocx.get_reliability(
            owner_project_id=common.project_id(self.app, args))
        return common.table(owners, RELIABILITY_COLUMNS)
