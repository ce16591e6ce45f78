from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _
from horizon import exceptions, forms, tables, tabs, views
from horizon.utils import memoized

from flocx_dashboard import api
from flocx_dashboard import exceptions as flocx_exceptions
from flocx_dashboard.content.contracts import forms as contract_forms
from flocx_dashboard.content.contracts import tables as contract_tables
from flocx_dashboard.content.contracts import tabs as contract_tabs

INDEX = 'horizon:project:contracts:index'


class IndexView(tables.DataTableView):
    table_class = contract_tables.ContractsTable
    template_name = 'project/contracts/index.html'
    page_title = _("Contracts")

    def get_data(self):
        try:
            contracts = api.contract_list(self.request,
                                          sort_key='start_time',
                                          sort_dir='desc')
        except api.ERRORS:
            exceptions.handle(self.request,
                              _('Unable to retrieve the contracts.'))
            return []
        return [contract_tables.set_role(self.request, c) for c in contracts]


class ContractMixin:
    @memoized.memoized_method
    def get_contract(self):
        try:
            return contract_tables.set_role(self.request, api.contract_get(
                self.request, self.kwargs['contract_id']))
        except api.ERRORS:
            exceptions.handle(self.request,
                              _('Unable to retrieve the contract.'),
                              redirect=reverse(INDEX))


class DetailView(ContractMixin, tabs.TabView):
    tab_group_class = contract_tabs.ContractDetailTabs
    template_name = 'horizon/common/_detail.html'
    page_title = _("Contract {{ contract.id }}")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        contract = self.get_contract()
        context['contract'] = contract
        context['url'] = reverse(INDEX)
        context['actions'] = contract_tables.ContractsTable(
            self.request).render_row_actions(contract)
        return context

    def get_tabs(self, request, *args, **kwargs):
        return self.tab_group_class(request, contract=self.get_contract(),
                                    **kwargs)


class _ContractFormView(ContractMixin, forms.ModalFormView):
    success_url = reverse_lazy(INDEX)

    def get_success_url(self):
        return reverse('horizon:project:contracts:detail',
                       args=[self.kwargs['contract_id']])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context['contract'] = self.get_contract()
        context['submit_url'] = reverse(self.submit_url_name,
                                        args=[self.kwargs['contract_id']])
        return context

    def get_initial(self):
        return {'contract_id': self.get_contract().id}


class ExtendView(_ContractFormView):
    form_class = contract_forms.ExtendContractForm
    template_name = 'project/contracts/extend.html'
    submit_url_name = 'horizon:project:contracts:extend'
    modal_id = 'extend_contract_modal'
    form_id = 'extend_contract_form'
    modal_header = _("Extend Contract")
    submit_label = _("Extend Contract")
    page_title = _("Extend Contract")


class RevokeView(_ContractFormView):
    form_class = contract_forms.RevokeContractForm
    template_name = 'project/contracts/revoke.html'
    submit_url_name = 'horizon:project:contracts:revoke'
    modal_id = 'revoke_contract_modal'
    form_id = 'revoke_contract_form'
    modal_header = _("Revoke Contract")
    submit_label = _("Revoke Contract")
    page_title = _("Revoke Contract")


class AccessView(ContractMixin, views.HorizonTemplateView):
    """The renter's credential for the nodes' cloud (a secret: shown to
    the renter's project only, on this page only)."""
    template_name = 'project/contracts/access.html'
    page_title = _("Access to contract {{ contract.id }}")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        contract = self.get_contract()
        context['contract'] = contract
        try:
            context['access'] = api.contract_access(self.request,
                                                    contract.id)
        except flocx_exceptions.MarketplaceNotFound as e:
            # Renters of the nodes' own cloud use their own credentials.
            context['access'] = None
            context['no_access'] = e.detail
        except api.ERRORS:
            exceptions.handle(self.request,
                              _('Unable to retrieve the access.'),
                              redirect=reverse(
                                  'horizon:project:contracts:detail',
                                  args=[contract.id]))
        return context
