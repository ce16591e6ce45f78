"""The real servers a functional test needs: private ones (tests/servers.py).

``require(name)`` starts this test process's own PostgreSQL, MariaDB,
RabbitMQ or Redis on first use (a temporary data directory and port,
stopped at the end of the session) and returns its URL. Nothing here uses
or changes the machine's own servers. A server binary that is not
installed skips the test on a developer's machine and fails it under CI
or FLOCX_REQUIRE_SERVICES: CI must run every test against the real thing.
"""

import contextlib
import importlib.util
import uuid

from tests import servers

_unavailable = servers.unavailable


def require(name):
    """The URL of this process's private server ``name`` (postgresql,
    mariadb, rabbitmq, redis), started if need be; skip (fail under CI)
    if its binaries are not installed."""
    return servers.get(name).url


def require_keystone_and_ironic():
    missing = [m for m in ('keystone', 'ironic')
               if importlib.util.find_spec(m) is None]
    if missing:
        _unavailable(f'{" and ".join(missing)} not installed: pip install '
                     '-r functional-requirements.txt')


@contextlib.contextmanager
def rabbit_vhost():
    """A RabbitMQ URL on a virtual host of the caller's own, deleted after
    (with every queue and exchange in it).

    Queue names are global within a vhost: two FLOCX stacks in one (two
    tests of a worker, a test and a stack it leaves running) would take
    each other's messages.
    """
    rabbit = servers.get('rabbitmq')
    name = f'flocx-test-{uuid.uuid4().hex[:8]}'
    rabbit.add_vhost(name)
    try:
        yield rabbit.vhost_url(name)
    finally:
        rabbit.delete_vhost(name)
