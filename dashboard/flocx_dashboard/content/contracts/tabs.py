from django.utils.translation import gettext_lazy as _
from horizon import tabs


class OverviewTab(tabs.Tab):
    name = _("Overview")
    slug = 'overview'
    template_name = 'project/contracts/_detail_overview.html'

    def get_context_data(self, request):
        contract = self.tab_group.kwargs['contract']
        # The market shows the renter its price and cost, and each owner
        # only what its own nodes earn.
        return {'contract': contract,
                'renters_view': contract.get('price') is not None}


class ContractDetailTabs(tabs.DetailTabsGroup):
    slug = 'contract_details'
    tabs = (OverviewTab,)
