from django.utils.translation import gettext_lazy as _
from horizon import exceptions, tables

from flocx_dashboard import api
from flocx_dashboard.content.offers import tables as offer_tables


class IndexView(tables.DataTableView):
    table_class = offer_tables.OffersTable
    template_name = 'project/offers/index.html'
    page_title = _("Offers")

    def get_data(self):
        try:
            offers = api.offer_list(self.request)
        except api.ERRORS:
            exceptions.handle(self.request,
                              _('Unable to retrieve the offers.'))
            return []
        project = self.request.user.project_id
        for offer in offers:
            offer._data['mine'] = (_('this project')
                                   if offer.project_id == project
                                   else _('another project'))
        # The open market first, cheapest first.
        return sorted(offers, key=lambda o: (o.status != 'open',
                                             float(o.price), o.start_time))
