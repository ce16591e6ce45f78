import datetime
import decimal
import re

from django.core import validators
from django.utils.translation import gettext_lazy as _
from horizon import exceptions, forms, messages

from flocx_dashboard import api, utils
from flocx_dashboard import exceptions as flocx_exceptions

UNITS = (('60', _("minutes")), ('3600', _("hours")), ('86400', _("days")))
CLOCK_SLACK = utils.CLOCK_SLACK
# A blank start means now, or as late as this much later.
ASAP_WINDOW = datetime.timedelta(hours=1)
PROPERTY = r'[A-Za-z0-9_.:-]{1,64}'
CONSTRAINT = re.compile(
    rf'^(?P<property>{PROPERTY})\s*(?P<op>==|!=|<=|>=|<|>)\s*(?P<value>.+)$'
    rf'|^(?P<property2>{PROPERTY})\s+(?P<op2>in|has)\s+(?P<value2>.+)$')
# Where the API's JSON pointer points, in this form.
POINTER_FIELDS = {
    'quantity': 'quantity', 'resource_class': 'resource_class',
    'constraints': 'constraints', 'start_time': 'start',
    'latest_start_time': 'latest_start', 'duration': 'duration',
    'price': 'price', 'span_clouds': 'span_clouds',
}


def parse_scalar(text):
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in '"\'':
        return text[1:-1]
    if text.lower() in ('true', 'false'):
        return text.lower() == 'true'
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def parse_constraints(text):
    """'cpus >= 8' lines -> [{"property", "op", "value"}]; ValueError if bad."""
    constraints = []
    for n, line in enumerate((text or '').splitlines(), 1):
        line = line.strip()
        if not line or line.startswith('#'):
            continue
        match = CONSTRAINT.match(line)
        if not match:
            raise ValueError(
                _('Line %(n)d, "%(line)s": write "property op value" with op '
                  'one of %(ops)s.') % {'n': n, 'line': line[:60],
                                        'ops': ' '.join(api.CONSTRAINT_OPS)})
        prop = match.group('property') or match.group('property2')
        op = match.group('op') or match.group('op2')
        raw = match.group('value') if match.group('op') else \
            match.group('value2')
        if op == 'in':
            value = [parse_scalar(v) for v in raw.split(',') if v.strip()]
            if not value:
                raise ValueError(_('Line %d: "in" needs a comma-separated '
                                   'list of values.') % n)
        else:
            value = parse_scalar(raw)
        constraints.append({'property': prop, 'op': op, 'value': value})
    if len(constraints) > 32:
        raise ValueError(_('At most 32 constraints.'))
    return constraints


class CreateBidForm(forms.SelfHandlingForm):
    quantity = forms.IntegerField(
        label=_("Quantity"), min_value=1, initial=1,
        help_text=_("How many nodes, all for the same time."))
    resource_class = forms.CharField(
        label=_("Resource class"), required=False, max_length=255,
        validators=[validators.RegexValidator(
            r'^[A-Za-z0-9_.:/-]+$',
            _('Letters, digits and _ . : / - only.'))],
        help_text=_("Ironic resource class, e.g. baremetal; blank for any."))
    constraints = forms.CharField(
        label=_("Constraints"), required=False,
        widget=forms.Textarea(attrs={
            'rows': 3, 'placeholder': 'cpus >= 8\ncpu_arch == x86_64'}),
        help_text=_("One per line: property op value."))
    start = forms.CharField(
        label=_("Start (UTC)"), required=False,
        widget=forms.TextInput(attrs={'placeholder': 'YYYY-MM-DD HH:MM '
                                                     '(blank: now)'}))
    latest_start = forms.CharField(
        label=_("Latest start (UTC)"), required=False,
        widget=forms.TextInput(attrs={'placeholder': 'YYYY-MM-DD HH:MM '
                                                     '(blank: the start; +1 h for a blank start)'}),
        help_text=_("A later start is acceptable up to this time. With a "
                    "blank start: an hour from now."))
    duration = forms.IntegerField(label=_("Duration"), min_value=1,
                                  initial=1)
    duration_unit = forms.ChoiceField(label=_("Duration unit"),
                                     choices=UNITS, initial="3600")
    price = forms.DecimalField(
        label=_("Max price per node-hour"), min_value=decimal.Decimal(0),
        max_digits=15, decimal_places=4,
        help_text=_("The most this project pays per node and hour."))
    span_clouds = forms.BooleanField(
        label=_("May span clouds"), required=False,
        help_text=_("Several nodes come from one cloud of the exchange "
                    "unless this is ticked."))

    def clean(self):
        data = super().clean()
        now = datetime.datetime.now(datetime.timezone.utc)
        for field in ('start', 'latest_start'):
            try:
                data[field] = utils.parse_utc(data.get(field))
            except ValueError as e:
                self.add_error(field, str(e))
        if 'start' in data and data['start'] is None:
            # "As soon as possible": a bid that must start at the very
            # second it was made could not be matched by any later round.
            data['start'] = now.replace(microsecond=0)
            if data.get('latest_start') is None and 'latest_start' in data:
                data['latest_start'] = data['start'] + ASAP_WINDOW
        start, latest = data.get('start'), data.get('latest_start')
        if start and start < now - CLOCK_SLACK:
            self.add_error('start', _('The start is in the past.'))
        if start and latest and latest < start:
            self.add_error('latest_start',
                           _('The latest start must not be before the '
                             'start.'))
        if data.get('duration') and data.get('duration_unit'):
            seconds = data['duration'] * int(data['duration_unit'])
            if seconds < 60:
                self.add_error('duration', _('At least one minute.'))
            data['duration_seconds'] = seconds
        if 'constraints' in data:
            try:
                data['constraints'] = parse_constraints(data['constraints'])
            except ValueError as e:
                self.add_error('constraints', str(e))
        return data

    def handle(self, request, data):
        try:
            bid = api.bid_create(
                request, quantity=data['quantity'], start_time=data['start'],
                duration=data['duration_seconds'],
                price=data['price'],
                resource_class=data.get('resource_class') or None,
                constraints=data.get('constraints') or None,
                latest_start_time=data.get('latest_start'),
                span_clouds=data.get('span_clouds', False))
        except flocx_exceptions.MarketplaceError as e:
            if e.status and 400 <= e.status < 500 and e.status != 401:
                # The market refused the bid: say why, on the form, at the
                # field its JSON pointer names.
                self._show_api_error(e)
                return False
            exceptions.handle(request, _('Unable to create the bid.'))
            return False
        messages.success(request, _('Bid %(uuid)s for %(n)s node(s) '
                                    'created.') % {'uuid': bid.id[:8],
                                                   'n': bid.quantity})
        return bid

    def _show_api_error(self, error):
        field = None
        if error.pointer:
            field = POINTER_FIELDS.get(error.pointer.strip('/').split('/')[0])
        message = _('The marketplace refused the bid: %s') % \
            utils.api_error_message(error)
        if field and field in self.fields:
            self.add_error(field, message)
        else:
            self.api_error(message)
