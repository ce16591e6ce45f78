"""Fixtures shared by the functional tests, and how xdist shares them out.

Run with ``-n 3 --dist loadgroup`` (tox.ini): every worker is a process
with its own private servers (tests/servers.py). The tests that use the
real Keystone and Ironic (the session-wide ``realstack``) go to one worker
together, so only one realstack is started; every other module goes to a
single worker as a whole (its module- and class-scoped fixtures are set up
once, and the Horizon module's one Horizon is not started twice).
"""

import pytest

from tests.functional.fixtures.provider_stack import (
    flocx,  # noqa: F401
    provider_extra_conf,  # noqa: F401
)
from tests.functional.fixtures.realstack import (
    delete_nodes_after,  # noqa: F401
    ironic_default_policy,  # noqa: F401
    make_nodes,  # noqa: F401
    # Once, here: a conftest of its own in each directory that uses it made
    # a second session instance, whose call gave the personas new passwords
    # and so revoked the first instance's tokens.
    rbac_personas,  # noqa: F401
    realstack,  # noqa: F401
)

REALSTACK_FIXTURES = {'realstack', 'make_nodes', 'delete_nodes_after',
                      'ironic_default_policy'}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if any(m.name == 'xdist_group' for m in item.iter_markers()):
            continue
        uses_realstack = REALSTACK_FIXTURES & set(
            getattr(item, 'fixturenames', ()))
        group = 'realstack' if uses_realstack else item.nodeid.split('::')[0]
        item.add_marker(pytest.mark.xdist_group(group))
