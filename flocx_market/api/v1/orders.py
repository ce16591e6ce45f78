"""Checks of order times that a JSON schema cannot express."""

import datetime

from oslo_utils import timeutils

from flocx_common.api import errors
from flocx_common.api import validation as v

# A request composed a moment ago may name "now" as its start.
CLOCK_SLACK = datetime.timedelta(minutes=5)


def check_window(conf, start_text, end_text, start_name='start_time',
                 end_name='end_time'):
    start = v.parse_time(start_text, start_name)
    end = v.parse_time(end_text, end_name)
    now = timeutils.utcnow()
    if end <= start:
        raise errors.BadRequest(f'{end_name} must be after {start_name}.',
                                pointer=f'/{end_name}')
    if end <= now:
        raise errors.BadRequest(f'{end_name} is in the past.',
                                pointer=f'/{end_name}')
    check_start(conf, start, start_name, now)
    if end - start > datetime.timedelta(days=conf.market.max_window_days):
        raise errors.BadRequest(
            f'The window is longer than {conf.market.max_window_days} days.',
            pointer=f'/{end_name}')
    return {start_name: start, end_name: end}


def check_price(conf, price):
    if price > conf.market.max_price:
        raise errors.BadRequest(
            f'price must be at most {conf.market.max_price}.',
            pointer='/price')


def check_start(conf, start, name, now=None):
    now = now or timeutils.utcnow()
    if start < now - CLOCK_SLACK:
        raise errors.BadRequest(f'{name} is in the past.', pointer=f'/{name}')
    if start > now + datetime.timedelta(days=conf.market.max_advance_days):
        raise errors.BadRequest(
            f'{name} is more than {conf.market.max_advance_days} days ahead.',
            pointer=f'/{name}')
