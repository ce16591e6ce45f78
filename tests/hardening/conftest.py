"""Fixtures of the hardening suite (tox -e hardening).

Each test gets its own stack (tests/hardening/stack.py) on a fresh
database, dropped afterwards. A server missing skips the test on a
developer's machine and fails it under CI, as in tests/functional.
"""

import pytest

from tests.functional import services
from tests.hardening import stack as stack_mod


def require_servers(backend):
    services.require('rabbitmq')
    services.require('redis')
    services.require('postgresql' if backend == 'postgresql' else 'mariadb')


@pytest.fixture(params=['postgresql', 'mariadb'])
def backend(request):
    require_servers(request.param)
    return request.param


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
