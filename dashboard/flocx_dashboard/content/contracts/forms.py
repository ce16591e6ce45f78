from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from horizon import exceptions, forms, messages

from flocx_dashboard import api, utils
from flocx_dashboard import exceptions as flocx_exceptions


class _ContractForm(forms.SelfHandlingForm):
    contract_id = forms.CharField(widget=forms.HiddenInput())
    failure = None

    def handle(self, request, data):
        try:
            return self.act(request, data)
        except flocx_exceptions.MarketplaceError as e:
            if e.status and 400 <= e.status < 500 and e.status != 401:
                # The market refused: its reason, on the form.
                self.api_error(f'{self.failure}: '
                               f'{utils.api_error_message(e)}')
                return False
            exceptions.handle(request, self.failure, redirect=reverse(
                'horizon:project:contracts:index'))
            return False


class ExtendContractForm(_ContractForm):
    end = forms.CharField(
        label=_("New end (UTC)"),
        widget=forms.TextInput(attrs={'placeholder': 'YYYY-MM-DD HH:MM'}),
        help_text=_("Every node still rented is kept until then, or none "
                    "is (a node booked by someone else then)."))
    failure = _('Unable to extend the contract')

    def clean_end(self):
        try:
            return utils.parse_utc(self.cleaned_data['end'])
        except ValueError as e:
            raise forms.ValidationError(str(e))

    def act(self, request, data):
        contract = api.contract_extend(request, data['contract_id'],
                                       data['end'])
        messages.success(request, _('Contract %(id)s now ends at %(end)s '
                                    'UTC.') % {'id': contract.id[:8],
                                               'end': contract.end_time})
        return contract


class RevokeContractForm(_ContractForm):
    reason = forms.CharField(
        label=_("Reason"), max_length=255,
        widget=forms.Textarea(attrs={'rows': 3}),
        help_text=_("The renter is told this. Revocations count against "
                    "the owner's reliability."))
    failure = _('Unable to revoke the contract')

    def act(self, request, data):
        contract = api.contract_revoke(request, data['contract_id'],
                                       data['reason'])
        messages.success(request, _('Contract %(id)s revoked.')
                         % {'id': contract.id[:8]})
        return contract
