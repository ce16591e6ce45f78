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

    def __init__(self, enforcer=None, **kwargs):
        super().__init__(**kwargs)
        self.enforcer = enforcer

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


def get_admin_context(enforcer=None):
    """A context for a service acting on its own (periodic tasks, RPC):
    system-scoped, as the market's own admin."""
    return RequestContext(enforcer=enforcer, is_admin=True,
                          roles=['admin', 'service'], system_scope='all',
                          overwrite=False)
