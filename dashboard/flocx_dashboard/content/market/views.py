import datetime

from django.utils.translation import gettext_lazy as _
from horizon import exceptions, views

from flocx_dashboard import api, charts

HISTORY_DAYS = 30


class IndexView(views.HorizonTemplateView):
    template_name = 'project/market/index.html'
    page_title = _("Market")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        request = self.request
        project = request.user.project_id
        offers = self._fetch(api.offer_list, _('offers'), status='open')
        bids = self._fetch(api.bid_list, _('bids'), status='open')
        contracts = self._fetch(api.contract_list, _('contracts'))
        live = [c for c in contracts or ()
                if c.status in ('scheduled', 'active')]
        context['summary'] = {
            'open_offers': len(offers) if offers is not None else None,
            'own_offers': len([o for o in offers or ()
                               if o.project_id == project]),
            'open_bids': len(bids) if bids is not None else None,
            'renting': len([c for c in live if c.project_id == project]),
            'lending': len([c for c in live
                            if project in (c.get('owner_project_ids') or ())]),
        }
        context['auction'] = api.is_enabled(request, api.AUCTION)
        points, depth = [], None
        if context['auction']:
            since = (datetime.datetime.now(datetime.timezone.utc)
                     - datetime.timedelta(days=HISTORY_DAYS))
            try:
                body = api.prices(request, since=since)
                points = [{'resource_class': p['resource_class'],
                           'time': api.parse_time(p['time']),
                           'price': api.decimal_price(p['price'])}
                          for p in body.get('prices', [])
                          if p.get('price') is not None]
                depth = body.get('depth', [])
            except api.ERRORS:
                exceptions.handle(request,
                                  _('Unable to retrieve market prices.'))
        context['depth_source'] = 'auction' if depth is not None else 'offers'
        if depth is None:
            depth = api.depth_from_offers(offers or [])
        context['depth'] = depth
        context['price_points'] = len(points)
        context['price_chart'] = charts.price_history(points)
        context['depth_chart'] = charts.market_depth(depth)
        return context

    def _fetch(self, lister, what, **filters):
        try:
            return lister(self.request, **filters)
        except api.ERRORS:
            exceptions.handle(self.request,
                              _('Unable to retrieve the %s.') % what)
            return None
