"""Option parsing and output shaping shared by the command modules."""

import argparse
import datetime
import re
from urllib import parse

from osc_lib.cli import format_columns

DURATION_UNITS = {'s': 1, 'm': 60, 'h': 3600, 'd': 86400, 'w': 604800}
DURATION_HELP = ('seconds, or numbers with a unit s, m, h, d or w that add '
                 'up, e.g. 90, 45m, 2h, 1.5h, 1d12h')
TIME_HELP = ('an ISO 8601 time (UTC unless it has an offset), e.g. '
             '2030-01-31T09:00Z, or "now", or a time from now such as +2h '
             'or +1d12h')


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


def item_path(collection, ident):
    """``/v1/<collection>/<ident>``, with the ident quoted: it is user input."""
    return f'/v1/{collection}/{parse.quote(str(ident), safe="")}'


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


def list_params(args, **filters):
    """Query parameters from the common list options plus ``filters``."""
    params = dict(filters, limit=args.limit, marker=args.marker)
    if args.sort:
        key, _, direction = args.sort.partition(':')
        params.update(sort_key=key, sort_dir=direction or None)
    return params


def column(value):
    """Structured values readable in a table and intact in -f json/yaml."""
    if isinstance(value, dict):
        return format_columns.DictColumn(value)
    if isinstance(value, list):
        if value and all(isinstance(v, dict) for v in value):
            return format_columns.ListDictColumn(value)
        return format_columns.ListColumn(value)
    return value


def show(item, formatters=None):
    """ShowOne's (names, values) for every field of an API object."""
    formatters = formatters or {}
    names = tuple(item)
    return names, tuple(formatters.get(n, column)(item[n]) for n in names)


def table(items, columns, formatters=None):
    """Lister's (columns, rows) for API objects."""
    formatters = formatters or {}
    return columns, [tuple(formatters.get(c, column)(item.get(c))
                           for c in columns) for item in items]
