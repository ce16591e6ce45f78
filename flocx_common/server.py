"""Serve a FLOCX API with cheroot, in one or more worker processes.

Operators who prefer uwsgi, gunicorn or mod_wsgi use the services' ``wsgi``
modules instead; this is the console scripts' server.
"""

import ipaddress
import os
import signal
import sys

from cheroot import wsgi
from oslo_log import log

LOG = log.getLogger(__name__)


class InsecureNoAuth(RuntimeError):
    pass


def is_loopback(host):
    if host == 'localhost':
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_auth_exposure(conf):
    """Refuse noauth on a public address unless the operator insists."""
    if conf.auth_strategy != 'noauth':
        return
    if is_loopback(conf.api.host_ip):
        LOG.warning('auth_strategy is noauth: every local caller is admin. '
                    'For local trials only.')
        return
    if not conf.api.allow_insecure_noauth:
        raise InsecureNoAuth(
            f'Refusing to serve with auth_strategy=noauth on '
            f'{conf.api.host_ip}: anybody who reaches it would be admin. Use '
            'auth_strategy=keystone, listen on 127.0.0.1, or set [api] '
            'allow_insecure_noauth=true if you really mean it.')
    for _ in range(3):
        LOG.critical('INSECURE: auth_strategy=noauth on %s: anybody who '
                     'reaches %s:%s is admin.', conf.api.host_ip,
                     conf.api.host_ip, conf.api.port)


def make_server(app, host, port, threads=16):
    # A deep accept queue: a burst of clients waits for a thread instead of
    # being refused (cheroot's default backlog is 5).
    return wsgi.Server((host, port), app, numthreads=threads,
                       request_queue_size=1024, reuse_port=True,
                       shutdown_timeout=2)


def serve(app_factory, conf):
    """Run the API until SIGTERM/SIGINT; fork ``[api] workers`` processes.

    Every worker binds with SO_REUSEPORT so the kernel spreads connections,
    and builds its own application after the fork (database engines and RPC
    transports must not cross a fork).
    """
    check_auth_exposure(conf)
    host, port, workers = conf.api.host_ip, conf.api.port, conf.api.workers
    LOG.info('Serving on http://%s:%s with %d worker(s)', host, port, workers)
    if workers == 1:
        _run_worker(app_factory, host, port)
        return
    children = set()
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:
            _run_worker(app_factory, host, port)
            os._exit(0)
        children.add(pid)

    def stop(signum, frame):
        for child in children:
            try:
                os.kill(child, signal.SIGTERM)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while children:
        try:
            pid, _ = os.wait()
        except ChildProcessError:
            break
        children.discard(pid)


def _run_worker(app_factory, host, port):
    server = make_server(app_factory(), host, port)

    def stop(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    try:
        server.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.stop()
    sys.stdout.flush()
