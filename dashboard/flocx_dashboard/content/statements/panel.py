import horizon
from django.utils.translation import gettext_lazy as _


class Statements(horizon.Panel):
    """What the project paid as a renter and earned as an owner, per
    month (the market's GET /v1/statements)."""
    name = _("Statements")
    slug = 'statements'
    permissions = ('openstack.services.marketplace',)
