from django.utils.translation import gettext_lazy as _
from horizon import tabs


class OverviewTab(tabs.Tab):
    name = _("Overview")
    slug = 'overview'
    template_name = 'project/bids/_detail_overview.html'

    def get_context_data(self, request):
        return {'bid': self.tab_group.kwargs['bid'],
                'contracts': self.tab_group.kwargs['contracts']}


class BidDetailTabs(tabs.DetailTabsGroup):
    slug = 'bid_details'
    tabs = (OverviewTab,)
