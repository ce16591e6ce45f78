import horizon
from django.utils.translation import gettext_lazy as _


class Offers(horizon.Panel):
    name = _("Offers")
    slug = 'offers'
    permissions = ('openstack.services.marketplace',)
