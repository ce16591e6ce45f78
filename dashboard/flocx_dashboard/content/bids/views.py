from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from horizon import exceptions, forms, tables

from flocx_dashboard import api
from flocx_dashboard.content.bids import forms as bid_forms
from flocx_dashboard.content.bids import tables as bid_tables


class IndexView(tables.DataTableView):
    table_class = bid_tables.BidsTable
    template_name = 'project/bids/index.html'
    page_title = _("Bids")

    def get_data(self):
        try:
            bids = api.bid_list(self.request, sort_key='created_at',
                                sort_dir='desc')
        except api.ERRORS:
            exceptions.handle(self.request, _('Unable to retrieve the bids.'))
            return []
        return bids


class CreateView(forms.ModalFormView):
    form_class = bid_forms.CreateBidForm
    template_name = 'project/bids/create.html'
    success_url = reverse_lazy('horizon:project:bids:index')
    submit_url = reverse_lazy('horizon:project:bids:create')
    modal_id = 'create_bid_modal'
    form_id = 'create_bid_form'
    modal_header = _("Create Bid")
    submit_label = _("Create Bid")
    page_title = _("Create Bid")
