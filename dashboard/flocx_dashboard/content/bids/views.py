from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _
from horizon import exceptions, forms, tables, tabs
from horizon.utils import memoized

from flocx_dashboard import api
from flocx_dashboard.content.bids import forms as bid_forms
from flocx_dashboard.content.bids import tables as bid_tables
from flocx_dashboard.content.bids import tabs as bid_tabs


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


class DetailView(tabs.TabView):
    tab_group_class = bid_tabs.BidDetailTabs
    template_name = 'horizon/common/_detail.html'
    page_title = _("Bid {{ bid.id }}")

    @memoized.memoized_method
    def get_data(self):
        try:
            return api.bid_get(self.request, self.kwargs['bid_id'])
        except api.ERRORS:
            exceptions.handle(self.request, _('Unable to retrieve the bid.'),
                              redirect=reverse('horizon:project:bids:index'))

    @memoized.memoized_method
    def get_contracts(self):
        try:
            return api.contract_list(self.request,
                                     bid_uuid=self.get_data().id)
        except api.ERRORS:
            exceptions.handle(self.request,
                              _('Unable to retrieve the bid\'s contract.'))
            return []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        bid = self.get_data()
        context['bid'] = bid
        context['url'] = reverse('horizon:project:bids:index')
        context['actions'] = bid_tables.BidsTable(
            self.request).render_row_actions(bid)
        return context

    def get_tabs(self, request, *args, **kwargs):
        return self.tab_group_class(request, bid=self.get_data(),
                                    contracts=self.get_contracts(), **kwargs)
