# The Marketplace panel group of the Project dashboard, and what the FLOCX
# plugin adds to Horizon's configuration.
from django.utils.translation import gettext_lazy as _

from flocx_dashboard import exceptions

PANEL_GROUP = 'marketplace'
PANEL_GROUP_NAME = _('Marketplace')
PANEL_GROUP_DASHBOARD = 'project'

ADD_INSTALLED_APPS = ['flocx_dashboard']

# API errors: a message and back to the page (404 likewise); 401 sends the
# user to the login page like any expired token.
ADD_EXCEPTIONS = {
    'recoverable': (exceptions.MarketplaceError,),
    'not_found': (exceptions.MarketplaceNotFound,),
    'unauthorized': (exceptions.MarketplaceUnauthorized,),
}

# After login, users of a cloud with a marketplace and no Nova land on the
# Market panel (the stock Project > Overview needs compute); everyone else
# where Horizon would send them.
UPDATE_HORIZON_CONFIG = {
    'user_home': 'flocx_dashboard.utils.get_user_home',
}
