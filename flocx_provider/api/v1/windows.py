"""Checks of offer and lease windows that a JSON schema cannot express."""

import datetime

from oslo_utils import timeutils

from flocx_common.api import errors
from flocx_common.api import validation as v

# A request composed a moment ago may name "now" as its start (as the
# market allows).
CLOCK_SLACK = datetime.timedelta(minutes=5)


def check_window(conf, body):
    start = v.parse_time(body['start_time'], 'start_time')
    end = v.parse_time(body['end_time'], 'end_time')
    now = timeutils.utcnow()
    if end <= start:
        raise errors.BadRequest('end_time must be after start_time.',
                                pointer='/end_time')
    if start < now - CLOCK_SLACK:
        raise errors.BadRequest('start_time is in the past.',
                                pointer='/start_time')
    if end - start > datetime.timedelta(days=conf.provider.max_window_days):
        raise errors.BadRequest(
            f'The window is longer than {conf.provider.max_window_days} '
            'days.', pointer='/end_time')
    return start, end


# \Z, not $: $ also matches before a final newline (see
# flocx_common.api.validation.PROJECT_ID).
NODE = {'type': 'string', 'minLength': 1, 'maxLength': 255,
        'pattern': r'^[A-Za-z0-9_.~:-]+\Z'}
