"""Secure RBAC in the policy base: scopes, new defaults, deprecated rules,
and the request context's view of the token's scope."""

from oslo_policy import policy as oslo_policy
import pytest

from flocx_auction import conf as auction_conf
from flocx_auction import policies as auction_policies
from flocx_common import context
from flocx_common import policy
from flocx_market import conf as market_conf
from flocx_market import policies as market_policies
from flocx_provider import conf as provider_conf
from flocx_provider import policies as provider_policies
from tests.unit import base

SERVICES = {'market': (market_conf, market_policies),
            'auction': (auction_conf, auction_policies),
            'provider': (provider_conf, provider_policies)}


def _enforcer(service, **overrides):
    conf_module, policies = SERVICES[service]
    fixture = base.ConfFixture(conf_module.register_opts, **overrides)
    fixture.setUp()
    return fixture, policy.make_enforcer(fixture.conf, policies.list_rules())


def _ctx(enforcer, **kwargs):
    return context.RequestContext(enforcer=enforcer, **kwargs)


@pytest.mark.parametrize('service', sorted(SERVICES))
def test_new_defaults_on_by_default(service):
    fixture, _ = _enforcer(service)
    try:
        assert fixture.conf.oslo_policy.enforce_new_defaults is True
    finally:
        fixture.cleanUp()


@pytest.mark.parametrize('service', sorted(SERVICES))
def test_every_rule_has_scope_types(service):
    for rule in SERVICES[service][1].list_rules():
        assert rule.scope_types, rule.name
        assert set(rule.scope_types) <= {'system', 'project'}, rule.name


@pytest.mark.parametrize('service', sorted(SERVICES))
def test_no_default_accepts_a_role_whatever_the_scope(service):
    """Each role in a default is tied to the system scope or to a project
    (``role:service`` aside: the services' own user)."""
    for rule in SERVICES[service][1].list_rules():
        for part in rule.check_str.replace('(', ' ').replace(
                ')', ' ').split(' or '):
            part = part.strip()
            if part.startswith('role:') and part != 'role:service':
                assert ' and ' in part, (rule.name, part)


def test_changed_defaults_keep_their_old_default_as_deprecated_rule():
    rules = {r.name: r for service in SERVICES.values()
             for r in service[1].list_rules()}
    for name in ('flocx:offer:create', 'flocx:bid:list_all',
                 'flocx:bid:cancel', 'flocx:offer:cancel',
                 'flocx:round:start', 'flocx:admin_reader', 'admin_api',
                 'flocx:provider:offer:cancel',
                 'flocx:provider:lease:cancel'):
        deprecated = rules[name].deprecated_rule
        assert isinstance(deprecated, oslo_policy.DeprecatedRule), name
        assert 'role:admin' in deprecated.check_str, name


def test_project_admin_starts_no_round_unless_old_defaults_kept():
    """The upgrade path: with enforce_new_defaults = false the deprecated
    default (any role:admin) is OR'd with the new one."""
    project_admin = {'project_id': 'org-c',
                     'roles': ['admin', 'member', 'reader']}
    fixture, enforcer = _enforcer('auction')
    try:
        ctx = _ctx(enforcer, **project_admin)
        with pytest.raises(oslo_policy.InvalidScope):
            ctx.can('flocx:round:start')
        system_admin = _ctx(enforcer, system_scope='all',
                            roles=['admin', 'member', 'reader'])
        system_admin.can('flocx:round:start')
    finally:
        fixture.cleanUp()
    # Scope is still enforced: round:start is for system scope only, so
    # the project admin of the old defaults needs the rule opened up too.
    fixture, enforcer = _enforcer(
        'market', **{'oslo_policy.enforce_new_defaults': False})
    try:
        ctx = _ctx(enforcer, **project_admin)
        assert ctx.allowed('flocx:bid:list_all')
        assert ctx.allowed('flocx:offer:create')
    finally:
        fixture.cleanUp()
    fixture, enforcer = _enforcer('market')
    try:
        ctx = _ctx(enforcer, **project_admin)
        assert not ctx.allowed('flocx:bid:list_all')
        assert not ctx.allowed('flocx:offer:create')
    finally:
        fixture.cleanUp()


def test_system_token_is_no_project_member():
    """project_id:%(project_id)s never matches a token without a project
    (the target's project is left out, not None)."""
    fixture, enforcer = _enforcer('market')
    try:
        system_member = _ctx(enforcer, system_scope='all',
                             roles=['member', 'reader'])
        assert not enforcer.authorize(
            'project_member', system_member._target(None), system_member)
        assert 'project_id' not in system_member._target(None)
        assert not system_member.allowed('flocx:bid:cancel')
        assert system_member.allowed('flocx:bid:list_all')
    finally:
        fixture.cleanUp()


def test_domain_token_is_refused_not_raised():
    fixture, enforcer = _enforcer('market')
    try:
        ctx = _ctx(enforcer, domain_id='default', roles=['admin', 'reader'])
        assert not ctx.allowed('flocx:bid:list_all')
        assert not ctx.is_admin_reader
        with pytest.raises(oslo_policy.InvalidScope):
            ctx.can('flocx:offer:list')
    finally:
        fixture.cleanUp()


@pytest.mark.parametrize('kwargs,owner,reason', [
    ({'project_id': 'org-b'}, 'org-b', 'cancelled by its owner'),
    ({'system_scope': 'all'}, 'org-b', 'cancelled by an admin'),
    ({'project_id': 'service'}, 'org-b', 'cancelled by its provider'),
])
def test_cancel_reason_says_who(kwargs, owner, reason):
    ctx = context.RequestContext(**kwargs)
    assert ctx.cancel_reason(owner) == reason
    assert ctx.is_system_scoped is ('system_scope' in kwargs)


def test_admin_context_is_system_scoped_and_survives_rpc():
    ctx = context.get_admin_context()
    assert ctx.is_system_scoped
    again = context.RequestContext.from_dict(ctx.to_dict())
    assert again.is_system_scoped and again.project_id is None
