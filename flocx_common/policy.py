"""Policy rules shared by the three services, and the enforcer factory.

Each service keeps its own rules in code, one module per resource, built on
the check strings below (see flocx_market/policies/ for the pattern).
"""

import threading
import time

from oslo_policy import policy

ADMIN = 'role:admin'
SERVICE = 'role:service'
PROJECT_MEMBER = 'role:member and project_id:%(project_id)s'
PROJECT_READER = 'role:reader and project_id:%(project_id)s'
ANY_MEMBER = 'role:member'
ANY_READER = 'role:reader'

SCOPES = ['project', 'system']

base_rules = [
    policy.RuleDefault('admin_api', ADMIN,
                       description='Administrators of the service.'),
    policy.RuleDefault('service_api', SERVICE,
                       description='Other FLOCX services (service users).'),
    policy.RuleDefault('flocx:admin_reader', f'{ADMIN} or {SERVICE}',
                       description='Who sees every project\'s records.'),
]


class Enforcer(policy.Enforcer):
    """oslo.policy's Enforcer, looking at policy files every few seconds.

    oslo.policy looks for its files on every check: it searches every
    config directory for ``policy_file`` until the file exists and for
    each ``policy_dirs`` entry always. Those two searches were a fifth of
    the CPU time of a simple GET. An operator's edit to a policy file (or
    a new file) still takes effect, within ``RELOAD_INTERVAL`` seconds.
    """

    RELOAD_INTERVAL = 5.0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._next_load = 0.0
        self._load_lock = threading.Lock()

    def load_rules(self, force_reload=False):
        now = time.monotonic()
        if not force_reload and now < self._next_load:
            return
        with self._load_lock:
            super().load_rules(force_reload)
            self._next_load = now + self.RELOAD_INTERVAL

    # What changes the rules in memory loads them again at the next check.

    def clear(self):
        super().clear()
        self._next_load = 0.0

    def register_default(self, default):
        super().register_default(default)
        self._next_load = 0.0


def make_enforcer(conf, rules):
    """An Enforcer with a service's rules (``base_rules`` among them)."""
    enforcer = Enforcer(conf)
    enforcer.register_defaults(rules)
    return enforcer


def rule(name, check_str, description, operations, scope_types=SCOPES):
    """A documented rule; keeps every policy module short."""
    return policy.DocumentedRuleDefault(
        name=name, check_str=check_str, description=description,
        operations=[{'path': path, 'method': method}
                    for method, path in operations],
        scope_types=scope_types)
