import horizon
from django.utils.translation import gettext_lazy as _


class Contracts(horizon.Panel):
    name = _("Contracts")
    slug = 'contracts'
    permissions = ('openstack.services.marketplace',)
