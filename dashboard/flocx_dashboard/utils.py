"""Helpers shared by the panels."""
import datetime
import decimal

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

MARKET_PERMISSION = 'openstack.services.marketplace'
TIME_FORMATS = ('%Y-%m-%d %H:%M', '%Y-%m-%dT%H:%M', '%Y-%m-%d %H:%M:%S',
                '%Y-%m-%dT%H:%M:%S', '%Y-%m-%dT%H:%M:%SZ')
# The APIs accept a start this far in the past (a form filled in a moment
# ago); flocx_market.api.v1.orders.CLOCK_SLACK.
CLOCK_SLACK = datetime.timedelta(minutes=5)
COMPUTE_PERMISSION = 'openstack.services.compute'


def get_user_home(user):
    """Where Horizon sends a user after login (HORIZON_CONFIG user_home).

    The stock Project > Overview needs Nova (and Neutron quotas): on a
    bare-metal marketplace cloud without them it answers 403, so users of a
    cloud with a marketplace and no compute land on the Market panel.
    """
    from openstack_dashboard import views
    if (not user.has_perms((COMPUTE_PERMISSION,))
            and user.has_perms((MARKET_PERMISSION,))):
        return reverse('horizon:project:market:index')
    return views.get_user_home(user)


def properties_summary(resource_class, properties):
    """'8 CPUs, 16 GiB RAM, 100 GB disk, x86_64, traits: A B'."""
    properties = properties or {}
    bits = []
    if properties.get('cpus'):
        bits.append(_('%s CPUs') % properties['cpus'])
    if properties.get('memory_mb'):
        bits.append(_('%g GiB RAM') % (int(properties['memory_mb']) / 1024))
    if properties.get('local_gb') is not None:
        bits.append(_('%s GB disk') % properties['local_gb'])
    if properties.get('cpu_arch'):
        bits.append(str(properties['cpu_arch']))
    if properties.get('traits'):
        bits.append(_('traits: %s') % ' '.join(properties['traits']))
    other = sorted(set(properties) - {'cpus', 'memory_mb', 'local_gb',
                                      'cpu_arch', 'traits'})
    bits.extend(f'{k}={properties[k]}' for k in other)
    return ', '.join(str(b) for b in bits) or '-'


def format_price(value):
    """A price as the panels show it: every digit the API gave, and at
    least two decimal places ('1.50', '0.125', '12.00'); '-' for none.

    The APIs name no currency: a cloud's prices are in the one its
    operator bills in.
    """
    from flocx_dashboard import api
    price = api.decimal_price(value)
    if price is None:
        return '-'
    if price.as_tuple().exponent > -2:
        price = price.quantize(decimal.Decimal('0.01'))
    return f'{price:f}'


def format_decimal(value):
    """An exact decimal (node-hours) with every digit it has and no
    exponent: '2', '1.5', '0.000278'; '-' for none."""
    from flocx_dashboard import api
    number = api.decimal_price(value)
    if number is None:
        return '-'
    return f'{number.normalize():f}'


def constraints_text(constraints):
    return '; '.join(f"{c['property']} {c['op']} {format_value(c['value'])}"
                     for c in constraints or []) or '-'


def format_value(value):
    if isinstance(value, list):
        return ','.join(str(v) for v in value)
    return str(value)


def hours(seconds):
    h = int(seconds) / 3600
    return f'{h:g} h' if h >= 1 else f'{int(seconds) // 60} min'


def api_error_message(error):
    """What a user reads for an API error: its detail, and the HTTP status."""
    status = f' (HTTP {error.status})' if error.status else ''
    return f'{error.detail}{status}'



def parse_utc(text):
    """'YYYY-MM-DD HH:MM' (UTC) as an aware datetime; None if blank."""
    text = (text or '').strip()
    if not text:
        return None
    for fmt in TIME_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).replace(
                tzinfo=datetime.timezone.utc)
        except ValueError:
            pass
    raise ValueError(_('Use YYYY-MM-DD HH:MM (UTC).'))
