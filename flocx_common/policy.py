"""Policy rules shared by the three services, and the enforcer factory.

Each service keeps its own rules in code, one module per resource, built on
the check strings below (see flocx_market/policies/ for the pattern).
"""

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


def make_enforcer(conf, rules):
    """An Enforcer with a service's rules (``base_rules`` among them)."""
    enforcer = policy.Enforcer(conf)
    enforcer.register_defaults(rules)
    return enforcer


def rule(name, check_str, description, operations, scope_types=SCOPES):
    """A documented rule; keeps every policy module short."""
    return policy.DocumentedRuleDefault(
        name=name, check_str=check_str, description=description,
        operations=[{'path': path, 'method': method}
                    for method, path in operations],
        scope_types=scope_types)
