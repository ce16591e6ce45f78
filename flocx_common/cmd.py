"""The bodies of the services' console scripts and WSGI modules.

Each service's ``cmd/`` modules name what to run; how to run it (config,
logging, signals, the noauth guard) is the same for all three and lives here.
"""

import logging
import os
import signal
import sys
import threading

from oslo_config import cfg
from oslo_log import log

from flocx_common import server

LOG = log.getLogger(__name__)


def _argv(argv):
    return sys.argv[1:] if argv is None else argv


def serve_api(prog, get_conf, setup_app, argv=None):
    """flocx-<service>-api: serve the REST API until SIGTERM."""
    conf = get_conf(_argv(argv))
    log.setup(conf, prog)
    try:
        server.serve(lambda: setup_app(conf), conf)
    except server.InsecureNoAuth as e:
        sys.exit(f'{prog}: {e}')


def run_service(prog, get_conf, make_service, argv=None):
    """Start a long-running service object; stop it on SIGTERM/SIGINT."""
    conf = get_conf(_argv(argv))
    log.setup(conf, prog)
    service = make_service(conf)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: done.set())
    signal.signal(signal.SIGINT, lambda *a: done.set())
    service.start()
    LOG.info('%s running', prog)
    done.wait()
    service.stop()
    LOG.info('%s stopped', prog)
    # Stopped and flushed: what the interpreter would still do at exit is
    # join idle thread pools and tear down modules (one to two seconds).
    logging.shutdown()
    os._exit(0)


def dbsync(prog, register_opts, connection_cls, migrations, argv=None):
    """flocx-<service>-dbsync upgrade [REVISION] | version."""
    def commands(subparsers):
        upgrade = subparsers.add_parser(
            'upgrade', help='Upgrade to a revision (default: the latest).')
        upgrade.add_argument('revision', nargs='?', default='head')
        subparsers.add_parser('version', help='Print the current revision.')

    conf = cfg.ConfigOpts()
    register_opts(conf)
    conf.register_cli_opt(cfg.SubCommandOpt('command', handler=commands,
                                            help='What to do.'))
    conf(args=_argv(argv), project='flocx', prog=prog)
    engine = connection_cls.from_conf(conf).get_engine()
    if conf.command.name == 'version':
        print(migrations.version(engine))
        return
    migrations.upgrade(engine, conf.command.revision)
    print(f'Database at revision {migrations.version(engine)}')


def wsgi_application(prog, config_env, get_conf, setup_app):
    """The application for uwsgi, gunicorn or mod_wsgi.

    The config file is ``$<config_env>``, default /etc/flocx/<prog>.conf.
    """
    default = f'/etc/flocx/{prog.rsplit("-", 1)[0]}.conf'
    conf = get_conf(['--config-file', os.environ.get(config_env, default)])
    log.setup(conf, prog)
    return setup_app(conf)
