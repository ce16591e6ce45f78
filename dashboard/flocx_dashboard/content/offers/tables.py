from django.template import defaultfilters
from django.urls import reverse
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


def _report(request, verb, offer_id, error):
    # Horizon's own message for a failed action names no reason.
    messages.error(request, _('Unable to %(verb)s offer %(id)s: %(why)s')
                   % {'verb': verb, 'id': offer_id[:8],
                      'why': utils.api_error_message(error)})


class CancelOffer(tables.DeleteAction):
    name = 'cancel'
    help_text = _("The node is taken off the market. An offer a contract "
                  "holds a node of cannot be cancelled: withdraw it.")

    @staticmethod
    def action_present(count):
        return ngettext_lazy("Cancel Offer", "Cancel Offers", count)

    @staticmethod
    def action_past(count):
        return ngettext_lazy("Cancelled Offer", "Cancelled Offers", count)

    def allowed(self, request, offer=None):
        # A booked offer: the market refuses the cancel (409).
        return offer is None or (offer.status == 'open'
                                 and _owned(request, offer)
                                 and not offer.get('booked'))

    def delete(self, request, obj_id):
        try:
            api.offer_cancel(request, obj_id)
        except flocx_exceptions.MarketplaceError as e:
            _report(request, _('cancel'), obj_id, e)
            raise


class WithdrawOffer(tables.BatchAction):
    name = 'withdraw'
    help_text = _("What is not sold yet is taken off the market; the "
                  "contracts already made on the offer stand.")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # Red, and confirmed in a dialog first, as Horizon's deletes are.
        self.action_type = 'danger'

    @staticmethod
    def action_present(count):
        return ngettext_lazy("Withdraw Offer", "Withdraw Offers", count)

    @staticmethod
    def action_past(count):
        return ngettext_lazy("Withdrew Offer", "Withdrew Offers", count)

    def allowed(self, request, offer=None):
        return offer is None or (offer.status == 'open'
                                 and _owned(request, offer)
                                 and bool(offer.get('booked')))

    def action(self, request, obj_id):
        try:
            api.offer_withdraw(request, obj_id)
        except flocx_exceptions.MarketplaceError as e:
            _report(request, _('withdraw'), obj_id, e)
            raise


class OffersFilter(tables.FilterAction):
    """Filters the rows in the browser, on any column's text."""
    filter_type = 'query'


def _hardware(offer):
    return utils.properties_summary(offer.resource_class, offer.properties)


def _price(item):
    return utils.format_price(item.price)


def _state(offer):
    """The status, and "booked" for an open offer a contract holds."""
    if offer.status == 'open' and offer.get('booked'):
        return 'booked'
    return offer.status


# Other states show as the API names them.
STATE_DISPLAY = (('booked', _("open, booked")),)


def _where(cloud, site=None):
    """A node's cloud, and its site when the operator set one."""
    if not cloud:
        return '-'
    return f'{cloud} ({site})' if site else cloud


class OffersTable(tables.DataTable):
    uuid = tables.Column('uuid', verbose_name=_("Offer"),
                         link='horizon:project:offers:detail',
                         filters=(lambda u: u[:8],))
    resource_class = tables.Column('resource_class',
                                   verbose_name=_("Resource class"))
    hardware = tables.Column(_hardware, verbose_name=_("Hardware"))
    cloud = tables.Column(lambda o: _where(o.get('cloud'),
                                           o.get('properties', {}).get('site')),
                          verbose_name=_("Cloud"))
    price = tables.Column(_price, verbose_name=_("Price / node-hour"))
    start_time = tables.Column('start_time', verbose_name=_("From (UTC)"),
                               filters=TIME)
    end_time = tables.Column('end_time', verbose_name=_("Until (UTC)"),
                             filters=TIME)
    mine = tables.Column('mine', verbose_name=_("Offered by"))
    reliability = tables.Column(
        lambda o: o.get('reliability', '-'),
        verbose_name=_("Owner's revocations"),
        help_text=_("In how many of the owner's contracts it revoked "
                    "nodes (ended them early), of all its contracts."))
    state = tables.Column(_state, verbose_name=_("Status"),
                          status=True, display_choices=STATE_DISPLAY,
                          status_choices=(('open', True),
                                          ('booked', True),
                                          ('cancelled', False),
                                          ('withdrawn', False),
                                          ('expired', None)))

    def get_object_display(self, offer):
        return f'{offer.resource_class} {offer.id[:8]}'

    class Meta:
        name = 'offers'
        verbose_name = _("Offers")
        table_actions = (OffersFilter, CancelOffer)
        row_actions = (CancelOffer, WithdrawOffer)


class OfferNode(tables.LinkAction):
    name = 'offer'
    verbose_name = _("Offer Node")
    classes = ('ajax-modal',)
    icon = 'plus'
    policy_rules = ()

    def get_link_url(self, node):
        return reverse('horizon:project:offers:create', args=[node.id])

    def allowed(self, request, node=None):
        return node is not None and node.offerable


def _node_hardware(node):
    return utils.properties_summary(node.resource_class, node.properties)


def _node_state(node):
    if node.offerable:
        return _('offerable')
    return node.not_offerable_reason or _('not offerable')


class NodesTable(tables.DataTable):
    name = tables.Column(lambda n: n.name or n.id[:8],
                         verbose_name=_("Node"))
    uuid = tables.Column('uuid', verbose_name=_("UUID"))
    resource_class = tables.Column('resource_class',
                                   verbose_name=_("Resource class"))
    hardware = tables.Column(_node_hardware, verbose_name=_("Hardware"))
    provision_state = tables.Column('provision_state',
                                    verbose_name=_("Provision state"))
    on_offer = tables.Column('on_offer', verbose_name=_("Open offers"))
    offerable = tables.Column(_node_state, verbose_name=_("Can be offered"))

    def get_object_display(self, node):
        return node.name or node.id

    class Meta:
        name = 'nodes'
        verbose_name = _("This project's Ironic nodes")
        row_actions = (OfferNode,)
