"""{% load flocx %}: the panels' formatting in templates."""
from django import template

from flocx_dashboard import api, utils

register = template.Library()


@register.filter
def price(value):
    """{{ offer.price|price }}: '1.50' (see utils.format_price)."""
    return utils.format_price(value)


@register.filter
def hours(seconds):
    return utils.hours(seconds) if seconds is not None else '-'


@register.filter
def utc(value):
    """{{ offer.start_time|utc }}: '2026-12-07 14:00' (the API's UTC)."""
    when = api.parse_time(value) if value else None
    return when.strftime('%Y-%m-%d %H:%M') if when else '-'


@register.filter
def decimal(value):
    """{{ row.node_hours|decimal }}: an exact decimal, every digit it has
    and no exponent ('2', '1.5', '0.000278'); '-' for none."""
    return utils.format_decimal(value)
