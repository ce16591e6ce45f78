"""flocx_common.policy.Enforcer: policy files re-read every few seconds."""

import fixtures
from oslo_context import context
import testtools

from flocx_common import policy
from flocx_market import conf as market_conf
from flocx_market import policies
from tests.unit import base

READER = context.RequestContext(project_id='org-b', roles=['reader'])


class EnforcerReloadTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        tmp = self.useFixture(fixtures.TempDir()).path
        self.policy_file = f'{tmp}/policy.yaml'
        conf = self.useFixture(base.ConfFixture(
            market_conf.register_opts,
            **{'oslo_policy.policy_file': self.policy_file})).conf
        self.enforcer = policy.make_enforcer(conf, policies.list_rules())
        self.clock = self.useFixture(fixtures.MockPatch(
            'flocx_common.policy.time.monotonic', return_value=1000.0)).mock

    def allowed(self):
        return self.enforcer.enforce('flocx:offer:list',
                                     {'project_id': 'org-b'}, READER)

    def test_new_policy_file_takes_effect_after_the_interval(self):
        self.assertTrue(self.allowed())
        with open(self.policy_file, 'w') as f:
            f.write('"flocx:offer:list": "!"\n')
        self.clock.return_value = 1000.0 + policy.Enforcer.RELOAD_INTERVAL / 2
        self.assertTrue(self.allowed(), 'looked again too soon')
        self.clock.return_value = 1000.0 + policy.Enforcer.RELOAD_INTERVAL
        self.assertFalse(self.allowed())

    def test_forced_reload_is_immediate(self):
        self.assertTrue(self.allowed())
        with open(self.policy_file, 'w') as f:
            f.write('"flocx:offer:list": "!"\n')
        self.enforcer.load_rules(force_reload=True)
        self.assertFalse(self.allowed())

    def test_rule_registered_later_is_enforced_at_once(self):
        self.assertTrue(self.allowed())
        self.enforcer.register_default(policy.rule(
            'flocx:test:late', policy.SYSTEM_ADMIN, 'A rule registered late.',
            [('GET', '/late')]))
        self.assertFalse(self.enforcer.enforce('flocx:test:late', {}, READER))
        admin = context.RequestContext(system_scope='all', roles=['admin'])
        self.assertTrue(self.enforcer.enforce('flocx:test:late', {}, admin))
