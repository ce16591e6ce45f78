import horizon
from django.utils.translation import gettext_lazy as _


class Market(horizon.Panel):
    """The Marketplace landing page: the market at a glance."""
    name = _("Market")
    slug = 'market'
    permissions = ('openstack.services.marketplace',)
