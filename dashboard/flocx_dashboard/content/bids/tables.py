from django.template import defaultfilters
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from horizon import messages, tables
from horizon.utils import filters

from flocx_dashboard import api, utils
from flocx_dashboard import exceptions as flocx_exceptions

TIME = (filters.parse_isotime,
        lambda t: defaultfilters.date(t, 'Y-m-d H:i') if t else '-')


class CreateBid(tables.LinkAction):
    name = 'create'
    verbose_name = _("Create Bid")
    url = 'horizon:project:bids:create'
    classes = ('ajax-modal',)
    icon = 'plus'
    policy_rules = ()


class CancelBid(tables.DeleteAction):
    name = 'cancel'
    help_text = _("An open bid is withdrawn from the next auction rounds.")

    @staticmethod
    def action_present(count):
        return ngettext_lazy("Cancel Bid", "Cancel Bids", count)

    @staticmethod
    def action_past(count):
        return ngettext_lazy("Cancelled Bid", "Cancelled Bids", count)

    def allowed(self, request, bid=None):
        return bid is None or bid.status == 'open'

    def delete(self, request, obj_id):
        try:
            api.bid_cancel(request, obj_id)
        except flocx_exceptions.MarketplaceError as e:
            # Horizon's own message for a failed action names no reason.
            messages.error(request, _('Unable to cancel bid %(id)s: %(why)s')
                           % {'id': obj_id[:8],
                              'why': utils.api_error_message(e)})
            raise


def _constraints(bid):
    return utils.constraints_text(bid.constraints)


def _duration(bid):
    return utils.hours(bid.duration)


class BidsTable(tables.DataTable):
    uuid = tables.Column('uuid', verbose_name=_("Bid"),
                         link='horizon:project:bids:detail',
                         filters=(lambda u: u[:8],))
    quantity = tables.Column('quantity', verbose_name=_("Nodes"))
    resource_class = tables.Column(lambda b: b.resource_class or _('any'),
                                   verbose_name=_("Resource class"))
    constraints = tables.Column(_constraints, verbose_name=_("Constraints"))
    start_time = tables.Column('start_time', verbose_name=_("Start (UTC)"),
                               filters=TIME)
    latest_start_time = tables.Column('latest_start_time',
                                      verbose_name=_("Latest start (UTC)"),
                                      filters=TIME)
    duration = tables.Column(_duration, verbose_name=_("Duration"))
    price = tables.Column(lambda b: utils.format_price(b.price),
                          verbose_name=_("Max price / node-hour"))
    status = tables.Column('status', verbose_name=_("Status"), status=True,
                           status_choices=(('open', None),
                                           ('contracted', True),
                                           ('cancelled', False),
                                           ('expired', False)))
    status_reason = tables.Column(lambda b: b.status_reason or '',
                                  verbose_name=_("Reason"))

    def get_object_display(self, bid):
        return bid.id[:8]

    class Meta:
        name = 'bids'
        verbose_name = _("Bids")
        table_actions = (CreateBid, CancelBid)
        row_actions = (CancelBid,)
