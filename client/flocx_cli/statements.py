"""``openstack market statement show`` and ``reliability list``: the money
and the owners' record (marketplace microversion 1.1).

A statement lists, for a month, every contract with charges in it: the
project's role (renter or owner), the billable node-hours and what was
paid, refunded, charged as fees or earned, as exact decimal strings.
``-f csv`` gives those lines, one per contract and party, for a
spreadsheet or a billing system. ``--days`` lists the month day by day
instead (the statement's ``days``, marketplace microversion 1.4).
"""

from cliff.formatters import commaseparated
from osc_lib import exceptions as osc_exceptions
import stevedore
import stevedore.extension

from flocx_cli import common
from flocxclient import client as flocx_client

RELIABILITY_COLUMNS = ('owner_project_id', 'contracts', 'revocations')
CSV_COLUMNS = ('period', 'contract_uuid', 'project_id', 'role',
               'node_hours', 'paid', 'refunds', 'fees', 'earned')
DAY_COLUMNS = ('date', 'paid', 'refunds', 'fees', 'earned')
# In a system reader's statement of every organization only.
OPERATOR_DAY_COLUMNS = ('surplus', 'operator_fees')


class ShowStatement(common.ShowOne):
    """Show what your project paid and earned in a month.

    A system reader sees every organization (or one with --project) and
    the operator's surplus and fees. ``-f csv``: one line per contract and
    party. ``--days``: one row per day of the month with charges.
    """

    def _load_formatter_plugins(self):
        # cliff offers csv to list commands only; a statement's lines and
        # days are tables (printed by produce_output below).
        plugins = super()._load_formatter_plugins()
        csv = commaseparated.CSVLister()
        return stevedore.ExtensionManager.make_test_instance(
            [*plugins.extensions,
             stevedore.extension.Extension(
                 'csv', None, commaseparated.CSVLister, csv)],
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
        parser.add_argument(
            '--days', action='store_true',
            help='List the month day by day instead: one row per UTC day '
                 'with charges, with what was paid, refunded, charged as '
                 'fees and earned that day (and, for a system reader of '
                 'every organization, the operator\'s surplus and fees). '
                 f'Marketplace microversion {flocx_client.STATEMENT_DAYS} '
                 'or later.')
        return parser

    def take_action(self, args):
        if args.days and args.formatter == 'shell':
            raise osc_exceptions.CommandError(
                '--days lists rows: use -f table, csv, json, yaml or value.')
        statement = self.flocx.get_statement(
            period=args.period,
            project_id=common.project_id(self.app, args))
        if args.days:
            if 'days' not in statement:
                # An older microversion asked for (--os-market-api-version).
                raise osc_exceptions.CommandError(
                    f'--days needs marketplace microversion '
                    f'{flocx_client.STATEMENT_DAYS} or later; this command '
                    f'asked for {self.flocx.market.version} '
                    '(--os-market-api-version).')
            operator = 'operator' in statement
            return common.table(statement['days'], DAY_COLUMNS,
                                long_fields=OPERATOR_DAY_COLUMNS,
                                long=operator)
        if args.formatter == 'csv':
            return common.table([dict(line, period=statement['period'])
                                 for line in statement['contracts']],
                                CSV_COLUMNS)
        return common.show(statement)

    def produce_output(self, parsed_args, column_names, data):
        """Rows (``--days``, or ``-f csv``) as a list command prints them;
        else the statement's fields."""
        if not (parsed_args.days or parsed_args.formatter == 'csv'):
            return super().produce_output(parsed_args, column_names, data)
        columns, selector = self._generate_columns_and_selector(
            parsed_args, column_names)
        if selector:  # -c: only those columns of each row
            data = [list(self._compress_iterable(row, selector))
                    for row in data]
        self.formatter.emit_list(columns, data, self.app.stdout, parsed_args)
        return 0


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
