"""Fixtures shared by the functional tests, and how xdist shares them out.

Run with ``-n 3 --dist loadfile`` (tox.ini): every worker is a process with
its own private servers (tests/servers.py), and each test module goes to
one worker as a whole, so that its module-scoped fixtures (two real clouds,
a deployed FLOCX, the RBAC matrices' services, clean virtualenvs) are set
up once. Modules that share something that two workers must not do at once
go together (``GROUPS``). A worker that runs a test of the real Keystone and
Ironic starts one ``realstack`` for its session.

This used to be ``--dist loadgroup`` and ``xdist_group`` marks; with pytest
9.2 xdist 3.8 no longer sees them (it appends the group to each test's id,
which pytest no longer takes: pytest-dev/pytest-xdist#1386) and sent every
test out alone: a module's tests ran on all three workers, which set its
fixtures up again and again (the two clouds of local/test_two_clouds.py,
85 s each, three times). The scheduler below needs only the tests' ids,
and the run fails if a module or group ran on more than one worker.
"""

import collections

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

# Modules that run on one worker together: both Horizon modules may install
# Horizon's virtualenv, which two workers must not do at once, and the
# browser test starts Horizon after stopping any left over.
GROUPS = {
    'tests/functional/dashboard/test_horizon.py': 'horizon',
    'tests/functional/dashboard/test_panel_units.py': 'horizon',
}

# The modules that take longest, longest first (seconds of their tests in a
# whole run on the idle 2-core machine; Horizon's with its install, as in
# CI): handed out first, so that no long module starts last and runs alone.
# The others follow in collection order.
LONGEST_FIRST = (
    'tests/functional/cli/test_openstack_cli.py',  # 153
    'tests/functional/local/test_readme_commands.py',  # 133
    'tests/functional/dashboard/test_horizon.py',  # Horizon's group
    'tests/functional/dashboard/test_panel_units.py',
    'tests/functional/local/test_two_clouds.py',  # 98
    'tests/functional/auction/test_rabbit_and_redis.py',  # 79
    'tests/functional/provider/test_lifecycle_realstack.py',  # 72
    'tests/functional/fuzz/test_deployed.py',  # 52
    'tests/functional/federation/test_remote_access.py',  # 46
    'tests/functional/packaging/test_distributions.py',  # 36
    'tests/functional/rbac/test_market_rbac_realstack.py',  # 36
)


def group_of(nodeid):
    """The unit of work of a test: its module, or the module's group."""
    module = nodeid.split('::', 1)[0]
    return GROUPS.get(module, module)


def pytest_collection_modifyitems(items):
    rank = {module: i for i, module in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split('::', 1)[0],
                                         len(rank)))


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_make_scheduler(config, log):
    # Whatever --dist of the load kind was asked for (-n alone means load):
    # a module's tests on several workers would set its fixtures up again.
    if config.getvalue('dist') not in ('load', 'loadfile', 'loadscope',
                                       'loadgroup'):
        return None
    from xdist.scheduler import LoadFileScheduling

    class GroupScheduling(LoadFileScheduling):
        """loadfile, with GROUPS' modules in one unit; units in collection
        order (longest first), not by their number of tests."""

        def _split_scope(self, nodeid):
            return group_of(nodeid)

    config.option.loadscopereorder = False
    config.pluginmanager.register(OneWorkerEach(), 'flocx-one-worker-each')
    return GroupScheduling(config, log)


class OneWorkerEach:
    """On the controller: fails the run if a unit of work (a module or a
    group) ran on more than one worker."""

    def __init__(self):
        self.workers = collections.defaultdict(set)

    def pytest_runtest_logreport(self, report):
        node = getattr(report, 'node', None)
        if node is not None:
            self.workers[group_of(report.nodeid)].add(node.gateway.id)

    def pytest_sessionfinish(self, session):
        split = {group: sorted(workers)
                 for group, workers in self.workers.items()
                 if len(workers) > 1}
        if not split:
            return
        reporter = session.config.pluginmanager.get_plugin(
            'terminalreporter')
        for group, workers in sorted(split.items()):
            reporter.write_line(f'{group} ran on {", ".join(workers)}: its '
                                'fixtures were set up on each (see '
                                'tests/functional/conftest.py)', red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
