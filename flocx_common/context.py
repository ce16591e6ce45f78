"""The request context every FLOCX service passes around."""

from oslo_context import context


class RequestContext(context.RequestContext):
    """An oslo.context with the policy check every handler makes.

    ``enforcer`` is the service's oslo.policy Enforcer; the API hook and the
    RPC serializer attach it.
    """

    def __init__(self, enforcer=None, **kwargs):
        super().__init__(**kwargs)
        self.enforcer = enforcer

    def can(self, rule, target=None):
        """Raise PolicyNotAuthorized unless the rule allows this request."""
        target = dict(target or {})
        target.setdefault('project_id', self.project_id)
        self.enforcer.authorize(rule, target, self, do_raise=True)

    def allowed(self, rule, target=None):
        target = dict(target or {})
        target.setdefault('project_id', self.project_id)
        return self.enforcer.authorize(rule, target, self, do_raise=False)

    @property
    def is_admin_reader(self):
        """Whether this request may see every project's orders."""
        return self.allowed('flocx:admin_reader')


def get_admin_context(enforcer=None):
    """A context for a service acting on its own (periodic tasks, RPC)."""
    return RequestContext(enforcer=enforcer, is_admin=True,
                          roles=['admin', 'service'],
                          overwrite=False)
