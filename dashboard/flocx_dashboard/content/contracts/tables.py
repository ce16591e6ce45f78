from django.template import defaultfilters
from django.utils.translation import gettext_lazy as _
from horizon import tables
from horizon.utils import filters

TIME = (filters.parse_isotime,
        lambda t: defaultfilters.date(t, 'Y-m-d H:i') if t else '-')


def _nodes(contract):
    return len(contract.get('nodes') or contract.get('resource_uuids') or [])


def _node_ids(contract):
    return ' '.join(u[:8] for u in contract.get('resource_uuids') or []) \
        or '-'


class ContractsFilter(tables.FilterAction):
    """Filters the rows in the browser, on any column's text."""
    filter_type = 'query'


class ContractsTable(tables.DataTable):
    uuid = tables.Column('uuid', verbose_name=_("Contract"),
                         filters=(lambda u: u[:8],))
    role = tables.Column('role', verbose_name=_("This project is"))
    nodes = tables.Column(_nodes, verbose_name=_("Nodes"))
    node_ids = tables.Column(_node_ids, verbose_name=_("Ironic nodes"))
    start_time = tables.Column('start_time', verbose_name=_("Start (UTC)"),
                               filters=TIME)
    end_time = tables.Column('end_time', verbose_name=_("End (UTC)"),
                             filters=TIME)
    price = tables.Column('price', verbose_name=_("Price / node-hour"))
    cost = tables.Column('cost', verbose_name=_("Total cost"))
    bid = tables.Column(lambda c: (c.get('bid_uuid') or '')[:8],
                        verbose_name=_("Bid"))
    status = tables.Column('status', verbose_name=_("Status"), status=True,
                           status_choices=(('scheduled', None),
                                           ('active', True),
                                           ('completed', True),
                                           ('cancelled', False),
                                           ('failed', False)))

    def get_object_display(self, contract):
        return contract.id[:8]

    class Meta:
        name = 'contracts'
        verbose_name = _("Contracts")
        table_actions = (ContractsFilter,)
