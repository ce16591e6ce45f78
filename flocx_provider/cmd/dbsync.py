"""flocx-provider-dbsync: create or upgrade the provider's database schema."""

import sys

from oslo_config import cfg

from flocx_provider import conf as provider_conf
from flocx_provider.db import api as db_api
from flocx_provider.db import migration


def _commands(subparsers):
    upgrade = subparsers.add_parser('upgrade', help='Upgrade to a revision '
                                    '(default: the latest).')
    upgrade.add_argument('revision', nargs='?', default='head')
    subparsers.add_parser('version', help='Print the current revision.')


def main(argv=None):
    conf = cfg.ConfigOpts()
    provider_conf.register_opts(conf)
    conf.register_cli_opt(cfg.SubCommandOpt('command', handler=_commands,
                                            help='What to do.'))
    conf(args=sys.argv[1:] if argv is None else argv, project='flocx',
         prog='flocx-provider-dbsync')
    engine = db_api.Connection.from_conf(conf).get_engine()
    command = conf.command.name or 'upgrade'
    if command == 'version':
        print(migration.version(engine))
    else:
        migration.upgrade(engine, conf.command.revision)
        print(f'Database at revision {migration.version(engine)}')
