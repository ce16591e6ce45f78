import pecan

from flocx_provider.api import v1
from flocx_provider.api import versions


class RootController:
    v1 = v1.V1Controller()

    @pecan.expose('json')
    def index(self):
        return {'versions': [versions.document(pecan.request)]}
