"""The request context every FLOCX service passes around."""

from oslo_context import context


class RequestContext(context.RequestContext):
    """An oslo.context with the policy check every handler makes.

    ``enforcer`` is the service's oslo.policy Enforcer; the API hook and the
    RPC serializer attach it. oslo.context already carries the token's
    scope: ``system_scope`` ('all' for a system-scoped token, from
    keystonemiddleware's ``OpenStack-System-Scope`` header), ``project_id``
    for a project-scoped one, ``domain_id`` for a domain-scoped one.
    """

    def __init__(self, enforcer=None, cloud=None, member_cloud=False,
                 cloud_system_scope=None, cloud_service=False, **kwargs):
        super().__init__(**kwargs)
        self.enforcer = enforcer
        # The cloud whose Keystone vouched for this caller (federation);
        # None for a service acting on its own.
        self.cloud = cloud
        self.member_cloud = member_cloud
        # A member cloud's system scope administers that cloud, not the
        # market: it is kept apart and never reaches the market's policy.
        self.cloud_system_scope = cloud_system_scope
        if member_cloud and self.system_scope:
            self.cloud_system_scope, self.system_scope = \
                self.system_scope, None
        # Likewise a member cloud's service role: its provider, which
        # speaks for that cloud's nodes only (policy persona
        # CLOUD_PROVIDER), never the market's own services' role.
        self.cloud_service = bool(cloud_service or (
            member_cloud and 'service' in self.roles))
        if self.cloud_service:
            self.roles = [r for r in self.roles if r != 'service']

    @classmethod
    def from_environ(cls, environ, **kwargs):
        kwargs.setdefault('cloud', environ.get('flocx.cloud'))
        kwargs.setdefault('member_cloud',
                          bool(environ.get('flocx.member_cloud')))
        ctx = super().from_environ(environ, **kwargs)
        if ctx.member_cloud and ctx.project_id:
            # Project ids are unique only within their cloud: on the market
            # a member cloud's project is CLOUD:ID, so that no order,
            # contract or event of one cloud's project is ever another's.
            ctx.project_id = qualified_project(ctx.cloud, ctx.project_id)
        return ctx

    @property
    def cloud_project_id(self):
        """The project's id in its own cloud's Keystone."""
        return cloud_project(self.project_id)[1]

    @classmethod
    def from_dict(cls, values, **kwargs):
        for key in ('cloud', 'member_cloud', 'cloud_system_scope',
                    'cloud_service'):
            if key in values:
                kwargs.setdefault(key, values[key])
        return super().from_dict(values, **kwargs)

    def to_policy_values(self):
        values = super().to_policy_values()
        values['cloud'] = self.cloud
        values['cloud_system_scope'] = self.cloud_system_scope
        values['cloud_service'] = self.cloud_service
        return values

    def to_dict(self):
        values = super().to_dict()
        values.update(cloud=self.cloud, member_cloud=self.member_cloud,
                      cloud_system_scope=self.cloud_system_scope,
                      cloud_service=self.cloud_service)
        return values

    def _target(self, target):
        target = dict(target or {})
        # A request's own project, when it has one. Never None: a check
        # string "project_id:%(project_id)s" would compare 'None' with
        # 'None' and let a token without a project pass.
        if self.project_id:
            target.setdefault('project_id', self.project_id)
        return target

    def can(self, rule, target=None):
        """Raise PolicyNotAuthorized (or InvalidScope) unless the rule
        allows this request."""
        self.enforcer.authorize(rule, self._target(target), self,
                                do_raise=True)

    def allowed(self, rule, target=None):
        """Whether the rule allows this request (a token of the wrong
        scope is simply not allowed)."""
        return bool(self.enforcer.authorize(rule, self._target(target), self,
                                            do_raise=False))

    @property
    def is_system_scoped(self):
        """A system-scoped token: acts on the whole market, for no
        project."""
        return self.system_scope == 'all'

    @property
    def is_admin_reader(self):
        """Whether this request may see every project's records (a system
        reader by default: rule ``flocx:admin_reader``)."""
        return self.allowed('flocx:admin_reader')

    def acts_for(self, project_id):
        """Whether this request acts for ``project_id`` itself (its owner),
        rather than as an admin of the market or a service."""
        return (not self.is_system_scoped and project_id is not None
                and self.project_id == project_id)

    def cancel_reason(self, project_id):
        """Why an order was cancelled, as its events and status show it."""
        if self.acts_for(project_id):
            return 'cancelled by its owner'
        if self.is_system_scoped:
            return 'cancelled by an admin'
        return 'cancelled by its provider'


def qualified_project(cloud, project_id):
    """How the market names a member cloud's project: ``CLOUD:ID``."""
    return f'{cloud}:{project_id}'


def cloud_project(project_id):
    """(cloud or None, id in that cloud) of a project as the market names it."""
    if project_id and ':' in project_id:
        cloud, _, own_id = project_id.partition(':')
        return cloud, own_id
    return None, project_id


def get_admin_context(enforcer=None):
    """A context for a service acting on its own (periodic tasks, RPC):
    system-scoped, as the market's own admin."""
    return RequestContext(enforcer=enforcer, is_admin=True,
                          roles=['admin', 'service'], system_scope='all',
                          overwrite=False)
