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


def is_renter(request, contract):
    return contract.project_id == request.user.project_id


def is_owner(request, contract):
    return request.user.project_id in (contract.get('owner_project_ids')
                                       or ())


def is_live(contract):
    return contract.status in api.LIVE_CONTRACT_STATUSES


class ReturnContract(tables.BatchAction):
    name = 'return'
    help_text = _("Every node still rented goes back to its owner now; "
                  "the rest of the time is not charged (an early-return "
                  "fee may apply).")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # Red, and confirmed in a dialog first, as Horizon's deletes are.
        self.action_type = 'danger'

    @staticmethod
    def action_present(count):
        return ngettext_lazy("Return Contract", "Return Contracts", count)

    @staticmethod
    def action_past(count):
        return ngettext_lazy("Returned Contract", "Returned Contracts",
                             count)

    def allowed(self, request, contract=None):
        return contract is None or (is_live(contract)
                                    and is_renter(request, contract))

    def action(self, request, obj_id):
        try:
            api.contract_return(request, obj_id)
        except flocx_exceptions.MarketplaceError as e:
            messages.error(request, _('Unable to return contract %(id)s: '
                                      '%(why)s')
                           % {'id': obj_id[:8],
                              'why': utils.api_error_message(e)})
            raise


class _ContractLink(tables.LinkAction):
    url_name = None
    policy_rules = ()

    def get_link_url(self, contract):
        return reverse(self.url_name, args=[contract.id])


class ExtendContract(_ContractLink):
    name = 'extend'
    verbose_name = _("Extend Contract")
    url_name = 'horizon:project:contracts:extend'
    classes = ('ajax-modal',)
    icon = 'clock-o'

    def allowed(self, request, contract=None):
        return (contract is not None and is_live(contract)
                and is_renter(request, contract))


class RevokeContract(_ContractLink):
    name = 'revoke'
    verbose_name = _("Revoke Contract")
    url_name = 'horizon:project:contracts:revoke'
    classes = ('ajax-modal', 'btn-danger')
    icon = 'ban'

    def allowed(self, request, contract=None):
        # An owner revokes its own nodes; a system administrator any.
        return (contract is not None and is_live(contract)
                and (is_owner(request, contract)
                     or request.user.is_superuser))


class ShowAccess(_ContractLink):
    name = 'access'
    verbose_name = _("Show Access")
    url_name = 'horizon:project:contracts:access'
    icon = 'key'

    def allowed(self, request, contract=None):
        return (contract is not None and is_live(contract)
                and is_renter(request, contract))


def _price(contract):
    """The renter's price; an owner sees what it gets for its nodes."""
    if contract.get('price') is not None:
        return utils.format_price(contract.price)
    asks = sorted({utils.format_price(n.get('price'))
                   for n in contract.get('nodes') or ()})
    return ', '.join(asks) or '-'


def _nodes(contract):
    return len(contract.get('nodes') or contract.get('resource_uuids') or [])


def _node_ids(contract):
    return ' '.join(u[:8] for u in contract.get('resource_uuids') or []) \
        or '-'


def _clouds(contract):
    """The clouds of the contract's nodes (several only if its bid let
    them span clouds)."""
    clouds = sorted({n['cloud'] for n in contract.get('nodes', [])
                     if n.get('cloud')})
    return ', '.join(clouds) or '-'


class ContractsFilter(tables.FilterAction):
    """Filters the rows in the browser, on any column's text."""
    filter_type = 'query'


class ContractsTable(tables.DataTable):
    uuid = tables.Column('uuid', verbose_name=_("Contract"),
                         link='horizon:project:contracts:detail',
                         filters=(lambda u: u[:8],))
    role = tables.Column('role', verbose_name=_("This project is"))
    nodes = tables.Column(_nodes, verbose_name=_("Nodes"))
    node_ids = tables.Column(_node_ids, verbose_name=_("Ironic nodes"))
    clouds = tables.Column(_clouds, verbose_name=_("Cloud"))
    start_time = tables.Column('start_time', verbose_name=_("Start (UTC)"),
                               filters=TIME)
    end_time = tables.Column('end_time', verbose_name=_("End (UTC)"),
                             filters=TIME)
    price = tables.Column(_price, verbose_name=_("Price / node-hour"))
    cost = tables.Column(lambda c: utils.format_price(c.get('cost')),
                         verbose_name=_("Total cost"))
    bid = tables.Column(lambda c: (c.get('bid_uuid') or '')[:8],
                        verbose_name=_("Bid"))
    status = tables.Column('status', verbose_name=_("Status"), status=True,
                           status_choices=(('scheduled', None),
                                           ('active', True),
                                           ('completed', True),
                                           ('cancelled', False),
                                           ('failed', False),
                                           ('revoked', False)))

    def get_object_display(self, contract):
        return contract.id[:8]

    class Meta:
        name = 'contracts'
        verbose_name = _("Contracts")
        table_actions = (ContractsFilter,)
        row_actions = (ShowAccess, ExtendContract, ReturnContract,
                       RevokeContract)


def set_role(request, contract):
    """'renter', 'owner' or both, for this project."""
    roles = []
    if is_renter(request, contract):
        roles.append(str(_('renter')))
    if is_owner(request, contract):
        roles.append(str(_('owner')))
    contract['role'] = ' + '.join(roles) or '-'
    return contract
