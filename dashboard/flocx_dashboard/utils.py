"""Helpers shared by the panels."""
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

MARKET_PERMISSION = 'openstack.services.marketplace'
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

