"""Which real servers a functional test needs, and what happens without them.

On a developer's machine a missing server skips the test; under CI (the CI
variable set) it fails it: CI must run every test against the real thing.
"""

import contextlib
import importlib.util
import os
import shutil
import socket
import subprocess
import uuid

import pytest

POSTGRESQL_URL = os.environ.get(
    'FLOCX_TEST_POSTGRESQL_URL',
    'postgresql+psycopg2://postgres@127.0.0.1:5432/postgres')
MYSQL_URL = os.environ.get('FLOCX_TEST_MYSQL_URL',
                           'mysql+pymysql://root@127.0.0.1:3306/mysql')
RABBIT_URL = os.environ.get('FLOCX_TEST_RABBIT_URL',
                            'rabbit://guest:guest@127.0.0.1:5672/')
REDIS_URL = os.environ.get('FLOCX_TEST_REDIS_URL', 'redis://127.0.0.1:6379')

_ADDRESSES = {'postgresql': ('127.0.0.1', 5432, POSTGRESQL_URL),
              'mariadb': ('127.0.0.1', 3306, MYSQL_URL),
              'rabbitmq': ('127.0.0.1', 5672, RABBIT_URL),
              'redis': ('127.0.0.1', 6379, REDIS_URL)}


def _unavailable(reason):
    if os.environ.get('CI'):
        pytest.fail(f'CI must run this test: {reason}', pytrace=False)
    pytest.skip(reason)


def require(name):
    """The URL of a running server, or skip (fail under CI)."""
    host, port, url = _ADDRESSES[name]
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError as e:
        _unavailable(f'{name} is not reachable on {host}:{port}: {e}')
    return url


def require_keystone_and_ironic():
    missing = [m for m in ('keystone', 'ironic')
               if importlib.util.find_spec(m) is None]
    if missing:
        _unavailable(f'{" and ".join(missing)} not installed: pip install '
                     '-r functional-requirements.txt')


@contextlib.contextmanager
def rabbit_vhost():
    """A RabbitMQ URL on a virtual host of the caller's own.

    Queue names are global within a vhost, so two FLOCX stacks sharing one
    (a test beside a developer's local cloud) would take each other's
    messages. Without rabbitmqctl (a remote broker) the default vhost is
    shared.
    """
    url = require('rabbitmq')
    ctl = shutil.which('rabbitmqctl')
    if ctl is None:
        yield url
        return
    name = f'flocx-test-{uuid.uuid4().hex[:8]}'
    subprocess.run([ctl, 'add_vhost', name], check=True, capture_output=True,
                   timeout=60)
    try:
        subprocess.run([ctl, 'set_permissions', '-p', name, 'guest', '.*',
                        '.*', '.*'], check=True, capture_output=True,
                       timeout=60)
        yield url.rstrip('/') + '/' + name
    finally:
        subprocess.run([ctl, 'delete_vhost', name], capture_output=True,
                       timeout=60)
