from django.template import defaultfilters
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from horizon import messages, tables
from horizon.utils import filters

from flocx_dashboard import api, utils
from flocx_dashboard import exceptions as flocx_exceptions

TIME = (filters.parse_isotime,
        lambda t: defaultfilters.date(t, 'Y-m-d H:i') if t else '-')


def _owned(request, offer):
    return offer.project_id == request.user.project_id


class CancelOffer(tables.DeleteAction):
    name = 'cancel'
    help_text = _("The node is taken off the market; nodes already booked "
                  "stay booked.")

    @staticmethod
    def action_present(count):
        return ngettext_lazy("Cancel Offer", "Cancel Offers", count)

    @staticmethod
    def action_past(count):
        return ngettext_lazy("Cancelled Offer", "Cancelled Offers", count)

    def allowed(self, request, offer=None):
        return offer is None or (offer.status == 'open'
                                 and _owned(request, offer))

    def delete(self, request, obj_id):
        try:
            api.offer_cancel(request, obj_id)
        except flocx_exceptions.MarketplaceError as e:
            # Horizon's own message for a failed action names no reason.
            messages.error(request, _('Unable to cancel offer %(id)s: '
                                      '%(why)s')
                           % {'id': obj_id[:8],
                              'why': utils.api_error_message(e)})
            raise


class OffersFilter(tables.FilterAction):
    """Filters the rows in the browser, on any column's text."""
    filter_type = 'query'


def _hardware(offer):
    return utils.properties_summary(offer.resource_class, offer.properties)


def _owner(offer):
    return offer.project_id


class OffersTable(tables.DataTable):
    resource_class = tables.Column('resource_class',
                                   verbose_name=_("Resource class"))
    hardware = tables.Column(_hardware, verbose_name=_("Hardware"))
    price = tables.Column('price', verbose_name=_("Price / node-hour"))
    start_time = tables.Column('start_time', verbose_name=_("From (UTC)"),
                               filters=TIME)
    end_time = tables.Column('end_time', verbose_name=_("Until (UTC)"),
                             filters=TIME)
    mine = tables.Column('mine', verbose_name=_("Offered by"))
    status = tables.Column('status', verbose_name=_("Status"),
                           status=True,
                           status_choices=(('open', True),
                                           ('cancelled', False),
                                           ('expired', None)))

    def get_object_display(self, offer):
        return f'{offer.resource_class} {offer.id[:8]}'

    class Meta:
        name = 'offers'
        verbose_name = _("Offers")
        table_actions = (OffersFilter, CancelOffer)
        row_actions = (CancelOffer,)
