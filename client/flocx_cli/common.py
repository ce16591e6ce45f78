"""Option parsing, output shaping and error handling shared by the commands.

OSC conventions: list columns have human names ("Project ID"), ``--long``
adds the rest; show commands print every field under its API name (what
``-f json`` scripts read); commands acting on objects take several ids;
errors are one line with the API's request id.
"""

import argparse
import datetime
import decimal
import logging
import re

from cliff import columns as cliff_columns
from keystoneauth1 import exceptions as ks_exceptions
from openstack import exceptions as sdk_exceptions
from osc_lib.cli import format_columns
from osc_lib.command import command
from openstackclient.identity import common as identity_common
from osc_lib import exceptions as osc_exceptions

from flocxclient import exceptions

LOG = logging.getLogger(__name__)

DURATION_UNITS = {'s': 1, 'm': 60, 'h': 3600, 'd': 86400, 'w': 604800}
DURATION_HELP = ('seconds, or numbers with a unit s, m, h, d or w that add '
                 'up, e.g. 90, 45m, 2h, 1.5h, 1d12h')
TIME_HELP = ('an ISO 8601 time (UTC unless it has an offset), e.g. '
             '2030-01-31T09:00Z, or "now", or a time from now such as +2h '
             'or +1d12h')
# Words spelled in capitals in column names.
ACRONYMS = {'id': 'ID', 'uuid': 'UUID', 'uuids': 'UUIDs', 'ms': 'ms',
            'url': 'URL'}


def duration(text):
    """Seconds in ``text``: ``3600``, ``45m``, ``2h``, ``1d12h``..."""
    text = text.strip().lower()
    if text.isdigit():
        return int(text)
    parts = re.findall(r'(\d+(?:\.\d+)?)([smhdw])', text)
    if not parts or ''.join(n + u for n, u in parts) != text:
        raise argparse.ArgumentTypeError(
            f'{text!r} is not a duration: use {DURATION_HELP}')
    return round(sum(float(n) * DURATION_UNITS[u] for n, u in parts))


def time(text):
    """An ISO 8601 UTC time for the API from an absolute or relative time.

    Absolute times go to the API as given: it parses and checks them, and
    says clearly what is wrong.
    """
    text = text.strip()
    if text == 'now' or text.startswith('+'):
        offset = duration(text[1:]) if text != 'now' else 0
        when = (datetime.datetime.now(datetime.timezone.utc) +
                datetime.timedelta(seconds=offset))
        return when.replace(microsecond=0).strftime('%Y-%m-%dT%H:%M:%SZ')
    return text


def price(text):
    """A price as the exact decimal written (flocxclient sends it as a JSON
    number with these very digits: never through a float)."""
    try:
        value = decimal.Decimal(text.strip())
    except decimal.InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise argparse.ArgumentTypeError(f'{text!r} is not a price: use a '
                                         'decimal number such as 1.25')
    return value


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


def parse_time(text):
    """An API time (ISO 8601, UTC unless it says otherwise), or None."""
    if not text:
        return None
    text = str(text)
    if text.endswith('Z'):  # Python 3.10's fromisoformat does not read it
        text = text[:-1] + '+00:00'
    value = datetime.datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return value


def human(field):
    """``project_id`` -> ``Project ID``: OSC's column names."""
    return ' '.join(ACRONYMS.get(word, word.capitalize())
                    for word in field.split('_'))


class FlocxCommand:
    """Mixin: the API's errors as one line (with the request id)."""

    def run(self, parsed_args):
        try:
            return super().run(parsed_args)
        except exceptions.ClientException as e:
            raise osc_exceptions.CommandError(e.one_line()) from e

    @property
    def flocx(self):
        """The flocxclient.Client of this invocation."""
        return self.app.client_manager.market


class Command(FlocxCommand, command.Command):
    pass


class Lister(FlocxCommand, command.Lister):
    pass


class ShowOne(FlocxCommand, command.ShowOne):
    pass


class ActOnEach(Command):
    """``<verb> A B C``: act on each object, report each failure, fail if any.

    Prints nothing on success, as OSC's delete commands do.
    """

    resource = 'object'
    verb = 'cancel'
    done = 'cancelled'
    #: What identifies one: ``UUID``, ``name``, ``name or UUID``
    ident = 'UUID'

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        metavar = '<' + self.ident.lower().replace(' or ', '|') + '>'
        parser.add_argument(
            'ids', metavar=metavar, nargs='+',
            help=f'{self.ident[0].upper()}{self.ident[1:]} of the '
                 f'{self.resource} to {self.verb} (several may be given).')
        return parser

    def act(self, ident):
        raise NotImplementedError

    def take_action(self, args):
        failed = 0
        for ident in args.ids:
            try:
                self.act(ident)
            except exceptions.ClientException as e:
                failed += 1
                LOG.error('%s %s: %s', self.resource.capitalize(), ident,
                          e.one_line())
        if failed:
            raise osc_exceptions.CommandError(
                f'{failed} of {len(args.ids)} {self.resource}s could not be '
                f'{self.done}.')


def add_list_options(parser, sort_keys):
    parser.add_argument(
        '--limit', metavar='<n>', type=int,
        help='Return at most <n> items: one page, with --marker for the '
             'next. Without --limit every page is fetched.')
    parser.add_argument(
        '--marker', metavar='<uuid>',
        help='Start after the item with this UUID (the last of the '
             'previous page).')
    parser.add_argument(
        '--sort', metavar='<key>[:<asc|desc>]',
        help=f'Sort by one of {", ".join(sort_keys)}, ascending unless '
             ':desc is given (default created_at:asc).')
    add_long_option(parser)


def add_long_option(parser):
    parser.add_argument('--long', action='store_true',
                        help='List every field, not only the main ones.')


def add_time_filters(parser, starts=True, ends=True):
    """``--starts-after`` etc.: the APIs' time-window filters."""
    for edge, present in (('starts', starts), ('ends', ends)):
        if not present:
            continue
        noun = 'start' if edge == 'starts' else 'end'
        for side in ('after', 'before'):
            parser.add_argument(
                f'--{edge}-{side}', metavar='<time>', type=time,
                help=f'Only those whose {noun} time is {side} this time '
                     f'({"inclusive" if side == "after" else "exclusive"}): '
                     f'{TIME_HELP}.')


def time_filters(args):
    return {name: getattr(args, name, None) for name in (
        'starts_after', 'starts_before', 'ends_after', 'ends_before')}


def list_params(args, **filters):
    """Query parameters from the common list options plus ``filters``."""
    params = dict(filters, limit=args.limit, marker=args.marker)
    if args.sort:
        key, _, direction = args.sort.partition(':')
        params.update(sort_key=key, sort_dir=direction or None)
    return {k: v for k, v in params.items() if v is not None}


def add_project_option(parser, help_text):
    parser.add_argument('--project', metavar='<project>', help=help_text)
    parser.add_argument(
        '--project-domain', metavar='<project-domain>',
        help='Domain the project belongs to (name or ID), where project '
             'names collide.')


def project_id(app, args, option='project', domain_option='project_domain'):
    """The ID of ``--project`` (or another option), a name or an ID.

    Names are looked up in Keystone; where the user may not look projects
    up (or the cloud has no Keystone, e.g. noauth), the value is taken as
    an ID, which the APIs check.
    """
    project = getattr(args, option, None)
    domain_name = getattr(args, domain_option, None)
    if not project:
        return None
    try:
        return identity_common.find_project_id_sdk(
            app.client_manager.sdk_connection.identity, project, domain_name,
            validate_actor_existence=False)
    # AttributeError: where the SDK finds no Keystone to discover (noauth,
    # admin_token), it hands out a bare Proxy without find_project.
    except (sdk_exceptions.SDKException, ks_exceptions.ClientException,
            osc_exceptions.CommandError, AttributeError) as e:
        LOG.debug('Project %s not looked up in Keystone: %s', project, e)
        return project


class DictColumn(cliff_columns.FormattableColumn):
    """``a=1, b.c=2`` in tables: nested keys joined with dots, no empty
    fields (osc_lib's prints ``key=,`` for None and ``, ,`` for {})."""

    def human_readable(self):
        return ', '.join(f'{k}={v}' for k, v in _flat(self._value or {}))

    def machine_readable(self):
        return dict(self._value or {})


def _flat(value, prefix=''):
    for key in sorted(value):
        item = value[key]
        name = f'{prefix}{key}'
        if isinstance(item, dict):
            yield from _flat(item, f'{name}.')
        elif item is None or item == '' or item == []:
            continue
        elif isinstance(item, list):
            yield name, ','.join(map(str, item))
        else:
            yield name, item


def column(value):
    """Structured values readable in a table and intact in -f json/yaml."""
    if isinstance(value, dict):
        return DictColumn(value)
    if isinstance(value, list):
        if value and all(isinstance(v, dict) for v in value):
            return format_columns.ListDictColumn(value)
        return format_columns.ListColumn(value)
    return value


def show(item, formatters=None):
    """ShowOne's (names, values) for every field of an API object."""
    formatters = formatters or {}
    names = tuple(sorted(item))
    return names, tuple(formatters.get(n, column)(item[n]) for n in names)


def table(items, fields, formatters=None, long_fields=(), long=False):
    """Lister's (human column names, rows) for API objects."""
    formatters = formatters or {}
    fields = tuple(fields) + (tuple(long_fields) if long else ())
    return (tuple(human(f) for f in fields),
            [tuple(formatters.get(f, column)(item.get(f)) for f in fields)
             for item in items])
