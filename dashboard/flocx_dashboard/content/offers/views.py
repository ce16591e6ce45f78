from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _
from horizon import exceptions, forms, messages, tables, tabs
from horizon.utils import memoized

from flocx_dashboard import api, charts
from flocx_dashboard import exceptions as flocx_exceptions
from flocx_dashboard.content.offers import forms as offer_forms
from flocx_dashboard.content.offers import tables as offer_tables
from flocx_dashboard.content.offers import tabs as offer_tabs

INDEX = 'horizon:project:offers:index'


def annotate(request, offers):
    """Say whose each offer is, and mark the project's own open offers that
    a live contract holds a node of: they can be withdrawn, no longer
    cancelled (the market answers that with 409)."""
    project = request.user.project_id
    for offer in offers:
        offer['mine'] = (_('this project') if offer.project_id == project
                         else _('another project'))
    if not any(o.project_id == project and o.status == 'open'
               for o in offers):
        return offers
    contracts = api.contract_list(request, status='scheduled') + \
        api.contract_list(request, status='active')
    booked = api.booked_offer_uuids(
        c for c in contracts if project in (c.get('owner_project_ids') or ()))
    for offer in offers:
        offer['booked'] = offer.id in booked
    return offers


def add_reliability(request, offers):
    """Each offer's owner's record, for renters to judge it by: in how
    many of its contracts it revoked nodes (the market's GET
    /v1/reliability, one call). Unknown ('-') if the market does not
    answer: the offers are shown all the same."""
    try:
        record = {r['owner_project_id']: r
                  for r in api.reliability_list(request)}
    except api.ERRORS:
        record = None
    for offer in offers:
        owner = None if record is None else record.get(
            offer.project_id, {'contracts': 0, 'revocations': 0})
        offer['revocations'] = None if owner is None else \
            owner['revocations']
        offer['reliability'] = '-' if owner is None else (
            _('%(revoked)s of %(contracts)s contracts') % {
                'revoked': owner['revocations'],
                'contracts': owner['contracts']})
    return offers


class IndexView(tables.MultiTableView):
    table_classes = (offer_tables.OffersTable, offer_tables.NodesTable)
    template_name = 'project/offers/index.html'
    page_title = _("Offers")

    @memoized.memoized_method
    def _offers(self):
        try:
            return add_reliability(self.request, annotate(
                self.request, api.offer_list(self.request)))
        except api.ERRORS:
            exceptions.handle(self.request,
                              _('Unable to retrieve the offers.'))
            return []

    def get_offers_data(self):
        # The open market first, cheapest first.
        return sorted(self._offers(), key=lambda o: (
            o.status != 'open', api.decimal_price(o.price), o.start_time))

    def get_nodes_data(self):
        if not api.is_enabled(self.request, api.PROVIDER):
            return []
        try:
            nodes = api.node_list(self.request)
        except flocx_exceptions.MarketplaceForbidden as e:
            # The provider may not act on this project's nodes (it owns
            # none, or its operator granted nothing): said under the table.
            self.nodes_note = e.detail
            return []
        except api.ERRORS:
            exceptions.handle(self.request,
                              _('Unable to retrieve the Ironic nodes.'))
            return []
        on_offer = {}
        for offer in self._offers():
            if offer.status == 'open':
                uuid = offer.get('resource_uuid')
                on_offer[uuid] = on_offer.get(uuid, 0) + 1
        for node in nodes:
            node['on_offer'] = on_offer.get(node.id, 0)
        return nodes

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context['provider'] = api.is_enabled(self.request, api.PROVIDER)
        context['nodes_note'] = getattr(self, 'nodes_note', None)
        return context


class CreateView(forms.ModalFormView):
    form_class = offer_forms.CreateOfferForm
    template_name = 'project/offers/create.html'
    success_url = reverse_lazy(INDEX)
    modal_id = 'create_offer_modal'
    form_id = 'create_offer_form'
    modal_header = _("Offer Node")
    submit_label = _("Offer Node")
    page_title = _("Offer Node")

    @memoized.memoized_method
    def get_node(self):
        node_id = self.kwargs['node_id']
        try:
            nodes = api.node_list(self.request)
        except api.ERRORS:
            exceptions.handle(self.request,
                              _('Unable to retrieve the Ironic nodes.'),
                              redirect=reverse(INDEX))
        for node in nodes:
            if node.id == node_id:
                return node
        messages.error(self.request,
                       _('This project owns no node %s.') % node_id)
        raise exceptions.Http302(reverse(INDEX))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context['node'] = self.get_node()
        context['submit_url'] = reverse('horizon:project:offers:create',
                                        args=[self.kwargs['node_id']])
        return context

    def get_initial(self):
        return {'node': self.get_node().id}


class DetailView(tabs.TabView):
    tab_group_class = offer_tabs.OfferDetailTabs
    template_name = 'horizon/common/_detail.html'
    page_title = _("Offer {{ offer.id }}")

    @memoized.memoized_method
    def get_data(self):
        try:
            offer, = add_reliability(self.request, annotate(self.request, [
                api.offer_get(self.request, self.kwargs['offer_id'])]))
        except api.ERRORS:
            exceptions.handle(self.request,
                              _('Unable to retrieve the offer.'),
                              redirect=reverse(INDEX))
        return offer

    def _availability(self, offer):
        """The offer's bookings: its owner's (and market readers') to see."""
        if offer.project_id != self.request.user.project_id:
            return None
        try:
            return api.offer_availability(self.request, offer.id)
        except api.ERRORS:
            exceptions.handle(self.request,
                              _('Unable to retrieve the offer\'s bookings.'))
            return None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        offer = self.get_data()
        table = offer_tables.OffersTable(self.request)
        context['offer'] = offer
        context['url'] = reverse(INDEX)
        context['actions'] = table.render_row_actions(offer)
        return context

    def get_tabs(self, request, *args, **kwargs):
        offer = self.get_data()
        availability = self._availability(offer)
        return self.tab_group_class(request, context={
            'offer': offer, 'availability': availability,
            'timeline': (charts.booking_timeline(availability)
                         if availability else '')}, **kwargs)
