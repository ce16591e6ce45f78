"""Session-wide test setup: the private servers (tests/servers.py).

FLOCX_REQUIRE_SERVICES (exported by .ci/run) means what CI means: a test
whose server, binary or service is missing fails instead of skipping.
Tests check either variable through ``tests.servers.required()``; for the
checks written as ``os.environ.get('CI')`` it also sets CI.
"""

import os

import pytest

from tests import servers


def pytest_configure(config):
    if os.environ.get('FLOCX_REQUIRE_SERVICES'):
        os.environ.setdefault('CI', '1')


@pytest.fixture(scope='session', autouse=True)
def private_servers():
    """Stops this process's private servers at the end of the session,
    after checking that the tests left no database, vhost or queue on
    them beyond what they held when started (an error of the last test
    otherwise). Under pytest-xdist each worker has its own."""
    yield
    servers.stop_all(check=True)
