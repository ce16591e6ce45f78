from django.utils.translation import gettext_lazy as _
from horizon import exceptions, tables

from flocx_dashboard import api
from flocx_dashboard.content.contracts import tables as contract_tables


class IndexView(tables.DataTableView):
    table_class = contract_tables.ContractsTable
    template_name = 'project/contracts/index.html'
    page_title = _("Contracts")

    def get_data(self):
        try:
            contracts = api.contract_list(self.request,
                                          sort_key='start_time',
                                          sort_dir='desc')
        except api.ERRORS:
            exceptions.handle(self.request,
                              _('Unable to retrieve the contracts.'))
            return []
        project = self.request.user.project_id
        for contract in contracts:
            roles = []
            if contract.project_id == project:
                roles.append(str(_('renter')))
            if project in (contract.get('owner_project_ids') or []):
                roles.append(str(_('owner')))
            contract._data['role'] = ' + '.join(roles) or '-'
        return contracts
