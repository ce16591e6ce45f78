from django.utils.translation import gettext_lazy as _
from horizon import tabs


class OverviewTab(tabs.Tab):
    name = _("Overview")
    slug = 'overview'
    template_name = 'project/offers/_detail_overview.html'

    def get_context_data(self, request):
        return self.tab_group.kwargs['context']


class OfferDetailTabs(tabs.DetailTabsGroup):
    slug = 'offer_details'
    tabs = (OverviewTab,)
