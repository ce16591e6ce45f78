"""Serve a FLOCX API: uWSGI for the console scripts, cheroot in-process.

``flocx-*-api`` runs uWSGI inside its own process (the ``pyuwsgi`` wheel of
the uWSGI project, the server devstack runs OpenStack's APIs under): this
process becomes uWSGI's master. It forks uWSGI's HTTP router, which holds the
clients' connections (HTTP/1.1 keep-alive, parsed in C, on an event loop),
and ``[api] workers`` workers, which the router hands complete requests. Each
worker builds its own application after the fork (database engines and RPC
transports must not cross a fork) by importing ``flocx_common.uwsgi_worker``.

Why this shape: cheroot's Python HTTP handling was half the CPU time of a
simple GET (bench/RESULTS.md); and a worker that read its clients' sockets
itself (uWSGI's ``http11-socket``) sat on every idle keep-alive connection
for seconds, while the router lets a worker serve whoever has a request.

The one-process local cloud (``flocx-local``), whose three APIs share an
in-process RPC transport, serves each API from a cheroot thread pool
instead (``make_server``).

Operators who run their own uwsgi, gunicorn or mod_wsgi use the services'
``wsgi`` modules.
"""

import ipaddress
import logging
import sys

from cheroot import wsgi
from oslo_log import log

LOG = log.getLogger(__name__)

# uWSGI refuses a listen backlog above the kernel's somaxconn.
_SOMAXCONN = '/proc/sys/net/core/somaxconn'

# What flocx_common.uwsgi_worker builds in each worker (set by serve()).
app_factory = None


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
    """A cheroot server for ``app`` (the caller starts it)."""
    # A deep accept queue: a burst of clients waits for a thread instead of
    # being refused (cheroot's default backlog is 5).
    return wsgi.Server((host, port), app, numthreads=threads,
                       request_queue_size=1024, reuse_port=True,
                       shutdown_timeout=2)


def listen_backlog():
    try:
        with open(_SOMAXCONN) as f:
            return min(1024, int(f.read()))
    except (OSError, ValueError):
        return 128


def uwsgi_args(conf):
    """uWSGI's command line for this service's [api] options."""
    host, port = conf.api.host_ip, conf.api.port
    if ':' in host:  # an IPv6 address
        host = f'[{host}]'
    return [
        '--strict',
        # The router: clients' connections, keep-alive included.
        '--http', f'{host}:{port}',
        '--http-keepalive',
        # The router's read buffer, which must hold the request's headers
        # (32 KiB: long Keystone and service tokens fit many times over).
        # No more: the router hands a worker the headers and whatever body
        # came with them in one uwsgi packet of at most 64 KiB, and when its
        # first read took in more (a body over ~64 KiB sent at once) it
        # dropped the connection: the client got a reset, not the answer
        # (a 2 MiB bid its 413, issue 11).
        '--http-buffer-size', '32768',
        '--module', 'flocx_common.uwsgi_worker:application',
        '--master',
        '--processes', str(conf.api.workers),
        '--threads', str(conf.api.threads),
        # The application is built in each worker, after the fork.
        '--lazy-apps',
        '--need-app',
        '--single-interpreter',
        # oslo.messaging and keystonemiddleware run threads of their own.
        '--enable-threads',
        '--thunder-lock',
        '--listen', str(listen_backlog()),
        # Keystone tokens and service tokens make long headers.
        '--buffer-size', '65535',
        # SIGHUP reloads: uWSGI stops the workers gracefully and executes
        # this program again, which reads the config files afresh. It
        # executes the interpreter it resolved (outside any virtualenv)
        # unless told this one, whose site-packages hold FLOCX.
        '--binary-path', sys.executable,
        # SIGTERM stops (uWSGI's default would reload), and workers never
        # outlive a killed master: a stale worker would keep the port.
        '--die-on-term',
        '--no-orphans',
        # A worker gets 2 s to finish its requests when stopped: the
        # messaging and middleware threads some workers keep would
        # otherwise hold each stop for the whole mercy (7 s seen with 5).
        '--worker-reload-mercy', '2',
        '--reload-mercy', '2',
        # Requests are logged by the application's own middleware and
        # oslo.log; uWSGI's per-request line would repeat them.
        '--disable-logging',
        '--ignore-sigpipe',
        '--ignore-write-errors',
        '--disable-write-exception',
    ]


def serve(factory, conf):
    """Run the API under uWSGI until SIGTERM/SIGINT (does not return)."""
    import pyuwsgi

    global app_factory
    check_auth_exposure(conf)
    LOG.info('Serving on http://%s:%s with %d worker(s) of %d thread(s)',
             conf.api.host_ip, conf.api.port, conf.api.workers,
             conf.api.threads)
    app_factory = factory
    # uWSGI closes the descriptors it did not open when it starts again on
    # SIGHUP; a log file left open here would then write into whatever the
    # worker opens next under that number (the database: seen). The
    # workers set up logging again themselves (``factory``).
    _close_log_handlers()
    pyuwsgi.run(uwsgi_args(conf))


def _close_log_handlers():
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
