from django.template import defaultfilters
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from horizon import tables
from horizon.utils import filters

from flocx_dashboard import api, utils

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
        api.offer_cancel(request, obj_id)


class OffersFilter(tables.FilterAction):
    filter_type = 'query'
    filter_choices = (
        ('resource_class', _("Resource class ="), True),
        ('status', _("Status ="), True),
    )


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
