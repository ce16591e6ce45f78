"""Policy rules shared by the three services, and the enforcer factory.

FLOCX follows OpenStack's secure RBAC, as Ironic and Nova do: Keystone's
default roles (``admin`` implies ``member`` implies ``reader``), the
``service`` role for service users, and the token's *scope*:

* a **system**-scoped token (``openstack --os-system-scope all``) acts on
  the whole market: its ``admin`` runs the market (starts rounds, cancels
  any order, publishes offers for any project), its ``reader`` audits it
  (sees every project's records, bid prices included);
* a **project**-scoped token acts for that project (an organization) only,
  whatever its role: a project's ``admin`` is the admin of its own
  organization's business, never of the market;
* the ``service`` role is for the FLOCX services' own user calling each
  other (providers publish and withdraw offers);
* a **member cloud's** ``service`` user is that cloud's provider
  (``CLOUD_PROVIDER``): it publishes its cloud's offers and reports on
  contracts on its cloud's nodes, and nothing of any other cloud.

Each service keeps its own rules in code, one module per resource, built
on the check strings below (see flocx_market/policies/ for the pattern).
Rules whose default changed keep their old default as a ``DeprecatedRule``:
with ``[oslo_policy] enforce_new_defaults = false`` the old and new
defaults are OR'd, the upgrade path for deployments that still rely on
project-scoped admins (see the admin guide and the release note).
"""

import threading
import time

from oslo_policy import opts as policy_opts
from oslo_policy import policy

# The personas, each a check string. ``%(project_id)s`` is the project
# that owns the record (for a list or a create: the caller's own).
SYSTEM_ADMIN = 'role:admin and system_scope:all'
SYSTEM_MEMBER = 'role:member and system_scope:all'
SYSTEM_READER = 'role:reader and system_scope:all'
PROJECT_ADMIN = 'role:admin and project_id:%(project_id)s'
PROJECT_MANAGER = 'role:manager and project_id:%(project_id)s'
PROJECT_MEMBER = 'role:member and project_id:%(project_id)s'
PROJECT_READER = 'role:reader and project_id:%(project_id)s'
SERVICE = 'role:service'
# A member cloud's provider: that cloud's user with the service role
# (context.py keeps it apart from the market's own services), for records
# of its own cloud only: ``%(cloud)s`` is the record's cloud.
CLOUD_PROVIDER = 'cloud_service:True and cloud:%(cloud)s'


def any_of(*check_strs):
    """``a or b or ...`` with each part in parentheses."""
    return ' or '.join(f'({check})' for check in check_strs)


# The combinations most rules use.
SYSTEM_OR_PROJECT_READER = any_of(SYSTEM_READER, PROJECT_READER)
SYSTEM_ADMIN_OR_PROJECT_MEMBER = any_of(SYSTEM_ADMIN, PROJECT_MEMBER)
SYSTEM_ADMIN_OR_SERVICE = any_of(SYSTEM_ADMIN, SERVICE)
SYSTEM_READER_OR_SERVICE = any_of(SYSTEM_READER, SERVICE)

# Token scopes a rule accepts (oslo.policy refuses others: 403).
SYSTEM = ['system']
PROJECT = ['project']
SYSTEM_AND_PROJECT = ['system', 'project']

# The defaults of the first release, kept for DeprecatedRule: role names
# without any scope, so that a project's admin was the market's admin.
LEGACY_ADMIN = 'role:admin'
LEGACY_SERVICE = 'role:service'
LEGACY_ANY_READER = 'role:reader'
LEGACY_ANY_MEMBER = 'role:member'
LEGACY_PROJECT_MEMBER = 'role:member and project_id:%(project_id)s'
LEGACY_PROJECT_READER = 'role:reader and project_id:%(project_id)s'

DEPRECATED_SINCE = '2.0.0'
DEPRECATED_REASON = (
    'FLOCX now follows secure RBAC: every rule checks the token\'s scope '
    '(system or project), a project-scoped admin is the admin of its own '
    'organization only, and market-wide actions need a system-scoped '
    'token. The old defaults checked role names only.')

base_rules = [
    # Names of the first release, for policy files that refer to them.
    policy.RuleDefault(
        'admin_api', SYSTEM_ADMIN,
        description='Administrators of the market (system scope).',
        scope_types=SYSTEM,
        deprecated_rule=policy.DeprecatedRule(
            'admin_api', LEGACY_ADMIN, deprecated_reason=DEPRECATED_REASON,
            deprecated_since=DEPRECATED_SINCE)),
    policy.RuleDefault('service_api', SERVICE,
                       description='Other FLOCX services (service users).',
                       scope_types=SYSTEM_AND_PROJECT),
    policy.RuleDefault('system_admin', SYSTEM_ADMIN,
                       description='An admin of the whole market: a '
                                   'system-scoped token with the admin role.',
                       scope_types=SYSTEM),
    policy.RuleDefault('system_reader', SYSTEM_READER,
                       description='An auditor of the whole market: a '
                                   'system-scoped token with the reader role.',
                       scope_types=SYSTEM),
    policy.RuleDefault('project_admin', PROJECT_ADMIN,
                       description='The admin of the project (organization) '
                                   'that owns the record.',
                       scope_types=PROJECT),
    policy.RuleDefault('project_member', PROJECT_MEMBER,
                       description='A member of the project that owns the '
                                   'record.',
                       scope_types=PROJECT),
    policy.RuleDefault('project_reader', PROJECT_READER,
                       description='A reader of the project that owns the '
                                   'record.',
                       scope_types=PROJECT),
    policy.RuleDefault(
        'flocx:admin_reader', SYSTEM_READER,
        description='Who sees every project\'s records where a resource '
                    'has no rule of its own (the auction\'s rounds in '
                    'full, the provider\'s offers and leases).',
        scope_types=SYSTEM_AND_PROJECT,
        deprecated_rule=policy.DeprecatedRule(
            'flocx:admin_reader', f'{LEGACY_ADMIN} or {LEGACY_SERVICE}',
            deprecated_reason=DEPRECATED_REASON,
            deprecated_since=DEPRECATED_SINCE)),
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


def set_defaults(conf):
    """Secure RBAC on by default, as in Ironic and Nova.

    Scope is always enforced by oslo.policy >= 4.5 (older releases have an
    ``enforce_scope`` option, turned on here when it exists); the new
    defaults are enforced unless an operator sets ``[oslo_policy]
    enforce_new_defaults = false`` during an upgrade.
    """
    # set_defaults ignores an option this oslo.policy does not have.
    policy_opts.set_defaults(conf, policy_file='policy.yaml',
                             enforce_scope=True, enforce_new_defaults=True)


def rule(name, check_str, description, operations,
         scope_types=SYSTEM_AND_PROJECT, deprecated_check_str=None):
    """A documented rule; keeps every policy module short.

    ``deprecated_check_str``: the rule's former default, when it changed.
    """
    deprecated = None
    if deprecated_check_str is not None:
        deprecated = policy.DeprecatedRule(
            name, deprecated_check_str,
            deprecated_reason=DEPRECATED_REASON,
            deprecated_since=DEPRECATED_SINCE)
    return policy.DocumentedRuleDefault(
        name=name, check_str=check_str, description=description,
        operations=[{'path': path, 'method': method}
                    for method, path in operations],
        scope_types=scope_types, deprecated_rule=deprecated)
