"""Fixtures of the hardening suite (tox -e hardening).

Each test gets its own stack (tests/hardening/stack.py) on a fresh
database and RabbitMQ vhost of the test process's private servers
(tests/servers.py), dropped afterwards. A fault test that stops a server
gets private servers of its own (``own_servers``), started for it alone and
checked for leftovers at its end. A missing server binary skips the test
on a developer's machine and fails it under CI, as in tests/functional.
"""

import pytest

from tests import servers
from tests.hardening import stack as stack_mod


def require_servers(backend):
    for name in ('rabbitmq', 'redis', backend):
        servers.get(name)


@pytest.fixture(params=['postgresql', 'mariadb'])
def backend(request):
    require_servers(request.param)
    return request.param


@pytest.fixture
def own_servers():
    """own_servers(*names) -> {name: started Server} for this test alone
    (it may stop, kill and restart them); after the test they must hold
    nothing the test did not find there, and are stopped and deleted."""
    started = []

    def start(*names):
        for name in names:
            server = servers.KINDS[name]()
            started.append(server)
            server.start()
        return {s.name: s for s in started if s.name in names}

    yield start
    problems = []
    for server in started:
        try:
            server.close(check=True)
        except servers.LeftoverError as e:
            problems.append(str(e))
    assert not problems, problems


@pytest.fixture
def make_stack(tmp_path):
    """make_stack(backend, **options) -> a started Stack; stopped after."""
    started = []

    def make(backend, **options):
        stack = stack_mod.Stack(tmp_path / f'stack-{len(started)}', backend,
                                **options)
        started.append(stack)
        return stack.start()

    yield make
    for stack in started:
        stack.stop()
