import datetime
import decimal

from django.utils.translation import gettext_lazy as _
from horizon import exceptions, forms, messages

from flocx_dashboard import api, utils
from flocx_dashboard import exceptions as flocx_exceptions

# Where the provider's JSON pointer points, in this form.
POINTER_FIELDS = {'start_time': 'start', 'end_time': 'end',
                  'price': 'price', 'node': 'node'}


class CreateOfferForm(forms.SelfHandlingForm):
    """Offer one of the project's Ironic nodes through its provider."""

    node = forms.CharField(widget=forms.HiddenInput())
    start = forms.CharField(
        label=_("From (UTC)"), required=False,
        widget=forms.TextInput(attrs={'placeholder': 'YYYY-MM-DD HH:MM '
                                                     '(blank: now)'}),
        help_text=_("When renters may start using the node."))
    end = forms.CharField(
        label=_("Until (UTC)"),
        widget=forms.TextInput(attrs={'placeholder': 'YYYY-MM-DD HH:MM'}),
        help_text=_("When the node comes back to this project."))
    price = forms.DecimalField(
        label=_("Lowest price per node-hour"),
        min_value=decimal.Decimal(0), max_digits=15, decimal_places=4,
        help_text=_("The auction never pays this project less."))

    def clean(self):
        data = super().clean()
        now = datetime.datetime.now(datetime.timezone.utc).replace(
            microsecond=0)
        for field in ('start', 'end'):
            try:
                data[field] = utils.parse_utc(data.get(field))
            except ValueError as e:
                self.add_error(field, str(e))
        if 'start' in data and data['start'] is None:
            data['start'] = now
        start, end = data.get('start'), data.get('end')
        if start and start < now - utils.CLOCK_SLACK:
            self.add_error('start', _('The start is in the past.'))
        if start and end and end <= start:
            self.add_error('end', _('The end must be after the start.'))
        return data

    def handle(self, request, data):
        try:
            offer = api.offer_create(request, data['node'], data['start'],
                                     data['end'], data['price'])
        except flocx_exceptions.MarketplaceError as e:
            if e.status and 400 <= e.status < 500 and e.status != 401:
                # The provider (or the market behind it) refused the offer:
                # say why, on the form.
                self._show_api_error(e)
                return False
            exceptions.handle(request, _('Unable to offer the node.'))
            return False
        messages.success(request, _('Offer %(uuid)s of node %(node)s at '
                                    '%(price)s per node-hour created.')
                         % {'uuid': offer.id[:8], 'node': data['node'][:8],
                            'price': utils.format_price(offer.price)})
        return offer

    def _show_api_error(self, error):
        field = None
        if error.pointer:
            field = POINTER_FIELDS.get(error.pointer.strip('/').split('/')[0])
        message = _('The provider refused the offer: %s') % \
            utils.api_error_message(error)
        if field and field in self.fields and field != 'node':
            self.add_error(field, message)
        else:
            self.api_error(message)
