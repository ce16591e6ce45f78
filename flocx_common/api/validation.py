"""Request bodies and query strings: parsed strictly, refused clearly."""

import datetime
import decimal
import json
import math

import jsonschema
from jsonschema import validators
from oslo_utils import timeutils

from flocx_common.api import errors
from flocx_common import money

# Times before this are certainly typos; after it, certainly absurd.
EARLIEST = datetime.datetime(2000, 1, 1)
LATEST = datetime.datetime(2200, 1, 1)


def _reject_constant(name):
    raise errors.BadRequest(f'{name} is not a valid JSON number.')


def _exact_number(text):
    # Exactly as written: a price must not pass through a float.
    # validate() turns every number that is not money into a float.
    try:
        value = decimal.Decimal(text)
    except decimal.InvalidOperation:
        # Beyond any decimal's exponent: 1e99999999999999999999.
        raise errors.BadRequest(f'{text[:40]} has an exponent out of range.')
    if not math.isfinite(float(value)):
        raise errors.BadRequest(f'{text[:40]} is too large a number.')
    return value


def parse_json_body(request):
    if not request.body:
        raise errors.BadRequest('The request has no body; a JSON object is '
                                'required.')
    content_type = (request.content_type or '').split(';')[0].strip()
    if content_type not in ('application/json', ''):
        raise errors.UnsupportedMediaType(
            f'Content-Type {content_type!r} is not supported; send '
            'application/json.')
    try:
        body = json.loads(request.body, parse_constant=_reject_constant,
                          parse_float=_exact_number)
    except UnicodeDecodeError:
        raise errors.BadRequest('The request body is not UTF-8.')
    except RecursionError:
        raise errors.BadRequest('The request body is nested too deeply.')
    except ValueError as e:
        raise errors.BadRequest(f'The request body is not valid JSON: {e}')
    if b'\\u0000' in request.body or b'\x00' in request.body:
        _refuse_nul(body)
    return body


def _refuse_nul(node, pointer=''):
    """400 for a NUL character in any key or string: PostgreSQL stores no
    NUL in text (it was a 500 there)."""
    if isinstance(node, str):
        if '\x00' in node:
            raise errors.BadRequest('A string holds a NUL character.',
                                    pointer=pointer or '/')
    elif isinstance(node, dict):
        for key, value in node.items():
            _refuse_nul(key, pointer or '/')
            _refuse_nul(value, f'{pointer}/{key}')
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _refuse_nul(value, f'{pointer}/{i}')


def _is_datetime(checker, instance):
    if not isinstance(instance, str):
        return True
    try:
        parse_time(instance)
    except errors.BadRequest:
        return False
    return True


_format_checker = jsonschema.FormatChecker()
_format_checker.checks('date-time', raises=())(
    lambda instance: _is_datetime(None, instance))
# Money: as many places as the databases keep (db.Money), no more; a
# seventh place was rounded away in silence. A float (a provider's offer
# over RPC) is checked by the digits it writes.
_format_checker.checks('money', raises=())(
    lambda instance: not isinstance(instance, (float, decimal.Decimal)) or
    money.has_places(decimal.Decimal(str(instance))))


_Draft = validators.Draft202012Validator


def _is_integer(checker, instance):
    # 2.0 was an integer when numbers were parsed as floats; it still is.
    if isinstance(instance, decimal.Decimal):
        return instance == instance.to_integral_value()
    return _Draft.TYPE_CHECKER.is_type(instance, 'integer')


_Validator = validators.extend(
    _Draft, type_checker=_Draft.TYPE_CHECKER.redefine('integer', _is_integer))


_validators = {}


def _validator(schema):
    """One validator per schema (schemas are module constants)."""
    try:
        return _validators[id(schema)][1]
    except KeyError:
        validator = _Validator(schema, format_checker=_format_checker)
        # The schema is kept too, so that its id is never reused.
        _validators[id(schema)] = (schema, validator)
        return validator


def validate(body, schema):
    """Raise BadRequest naming the first thing wrong with the body."""
    error = jsonschema.exceptions.best_match(
        _validator(schema).iter_errors(body))
    if error is None:
        return _plain_numbers(body, schema)
    pointer = '/' + '/'.join(str(p) for p in error.absolute_path)
    field = pointer if pointer != '/' else 'the body'
    if error.validator == 'additionalProperties':
        message = error.message.replace('Additional properties are not '
                                        'allowed', 'Unknown field')
    elif error.validator == 'format' and error.validator_value == 'date-time':
        message = (f'{error.instance!r} is not an ISO 8601 time between '
                   f'{EARLIEST.year} and {LATEST.year}')
    elif error.validator == 'format' and error.validator_value == 'money':
        message = (f'{error.instance} has more than {money.PLACES} decimal '
                   'places')
    else:
        message = error.message
    if len(message) > 300:
        message = message[:300] + '...'
    raise errors.BadRequest(f'Invalid {field}: {message}', pointer=pointer)


def _plain_numbers(value, schema):
    """The body as the services take it: numbers the schema calls money
    stay exact Decimals, every other number with a fraction is a float."""
    if not isinstance(schema, dict):
        schema = {}
    if isinstance(value, decimal.Decimal):
        return value if schema.get('format') == 'money' else float(value)
    if isinstance(value, dict):
        properties = schema.get('properties', {})
        return {key: _plain_numbers(item, properties.get(key))
                for key, item in value.items()}
    if isinstance(value, list):
        return [_plain_numbers(item, schema.get('items')) for item in value]
    return value


def parse_time(text, name='time'):
    """A naive UTC datetime from an ISO 8601 string with or without offset."""
    try:
        value = timeutils.parse_isotime(text)
        # Inside the try: an offset can push year 1 or 9999 out of range
        # ("0001-01-01T00:00:00+00:50" was a 500).
        value = timeutils.normalize_time(value)
    except (ValueError, TypeError, OverflowError):
        raise errors.BadRequest(f'{name} {text!r} is not an ISO 8601 time.')
    if not EARLIEST <= value <= LATEST:
        raise errors.BadRequest(
            f'{name} {text!r} is outside {EARLIEST.year} to {LATEST.year}.')
    return value


# Per node-hour, exact to db.Money's places (see flocx_common/money.py).
PRICE = {'type': 'number', 'minimum': 0, 'maximum': 1e9, 'format': 'money',
         'description': 'Per node-hour, at most 6 decimal places.'}
TIME = {'type': 'string', 'format': 'date-time', 'maxLength': 64}
UUID = {'type': 'string', 'format': 'uuid', 'maxLength': 36}
# Patterns end in \Z, not $: Python's $ also matches before a final newline,
# which let "org-a\n" through as a project.
PROJECT_ID = {'type': 'string', 'minLength': 1, 'maxLength': 64,
              'pattern': r'^[A-Za-z0-9_.:-]+\Z'}
NAME = {'type': 'string', 'minLength': 1, 'maxLength': 255,
        'pattern': r'^[A-Za-z0-9_.:/-]+\Z'}
