import pecan

from flocx_market.api import v1
from flocx_market.api import versions


class RootController:
    v1 = v1.V1Controller()

    @pecan.expose('json')
    def index(self):
        return {'versions': [versions.document(pecan.request)]}
