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

from flocx_common import rpc
from flocx_common import server

LOG = log.getLogger(__name__)


def _argv(argv):
    return sys.argv[1:] if argv is None else argv


def require_transport(prog, conf, exit=True):
    """Exit with a one-line reason unless a transport_url is configured.

    Without one a service used to fall back to the in-process transport,
    where nothing it sent reached the other services.
    """
    try:
        rpc.transport_url(conf)
        return
    except rpc.NoTransport as e:
        reason = str(e)
    if conf.log_file or not exit:  # else said once below, on stderr
        LOG.critical('%s', reason)
    if not exit:
        # In a WSGI server's worker: SystemExit would end the worker and
        # uwsgi would start it again, forever; an import error stops uwsgi
        # (need-app) and mod_wsgi answers 500.
        raise rpc.NoTransport(f'{prog}: {reason}')
    sys.exit(f'{prog}: {reason}')


def serve_api(prog, get_conf, setup_app, argv=None):
    """flocx-<service>-api: serve the REST API until SIGTERM."""
    conf = get_conf(_argv(argv))
    log.setup(conf, prog)
    require_transport(prog, conf)
    def build_in_worker():
        # The master closed its log files before uWSGI took over.
        log.setup(conf, prog)
        # As OpenStack services do: every option, secrets masked, at DEBUG.
        conf.log_opt_values(LOG, logging.DEBUG)
        return setup_app(conf)

    try:
        server.serve(build_in_worker, conf)
    except server.InsecureNoAuth as e:
        sys.exit(f'{prog}: {e}')


def run_service(prog, get_conf, make_service, argv=None):
    """Start a long-running service object; stop it on SIGTERM/SIGINT."""
    conf = get_conf(_argv(argv))
    log.setup(conf, prog)
    require_transport(prog, conf)
    conf.log_opt_values(LOG, logging.DEBUG)
    service = make_service(conf)
    signals = _Signals()
    service.start()
    LOG.info('%s running', prog)
    while signals.wait() == signal.SIGHUP:
        reload_mutable_options(prog, conf)
    service.stop()
    LOG.info('%s stopped', prog)
    # Stopped and flushed: what the interpreter would still do at exit is
    # join idle thread pools and tear down modules (one to two seconds).
    logging.shutdown()
    os._exit(0)


class _Signals:
    """SIGTERM/SIGINT (stop) and SIGHUP (reload), taken in the main thread."""

    def __init__(self):
        self._event = threading.Event()
        self._received = []
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, self._handle)

    def _handle(self, signum, frame):
        self._received.append(signum)
        self._event.set()

    def wait(self):
        """The next signal; a stop signal wins over a pending SIGHUP."""
        while not self._received:
            self._event.wait()
            self._event.clear()
        received, self._received[:] = list(self._received), []
        for sig in received:
            if sig != signal.SIGHUP:
                return sig
        return signal.SIGHUP


def reload_mutable_options(prog, conf):
    """Re-read the config files and apply the options marked mutable.

    oslo.config logs each option that changed and calls the mutate hooks;
    oslo.log's hook applies a changed ``debug`` to the root logger at once.
    Options that are not mutable keep their values until a restart (oslo.config
    warns about each one that changed).
    """
    LOG.info('%s: SIGHUP, reloading the mutable options of %s', prog,
             ', '.join(conf.config_file or ()) or 'no config file')
    try:
        conf.mutate_config_files()
        conf.log_opt_values(LOG, logging.DEBUG)
    except Exception:
        # A config file broken mid-edit must not stop a running service.
        LOG.exception('%s: reloading the configuration failed; the previous '
                      'values stay', prog)


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
    require_transport(prog, conf, exit=False)
    conf.log_opt_values(LOG, logging.DEBUG)
    return setup_app(conf)
