import horizon
from django.utils.translation import gettext_lazy as _


class Bids(horizon.Panel):
    name = _("Bids")
    slug = 'bids'
    permissions = ('openstack.services.marketplace',)
