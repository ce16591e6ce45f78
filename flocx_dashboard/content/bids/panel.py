from django.utils.translation import gettext_lazy as _
import horizon


class Bids(horizon.Panel):
    name = _("Bids")
    slug = 'bids'
    permissions = ('openstack.services.marketplace',)
