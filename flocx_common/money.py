"""Money as exact decimals, from a request's JSON text to a response's.

The databases keep prices and amounts as NUMERIC(20, 6) (``db.Money``), which
the drivers read as ``decimal.Decimal``. The APIs parse a request's numbers
with fractions as Decimals (``api/validation.py``), refuse a price with more
places than the column keeps, and write each Decimal back as a JSON number
with exactly its digits: no price goes through a binary float on its way in
or out.

Two wires have no decimal type. oslo.messaging's JSON (RPC and
notifications) writes a Decimal as a string, which would turn every price
its consumers read into text: ``rpc.ContextSerializer`` sends floats there,
as these services always have. A float's shortest form writes the same
digits back for every number of at most 15 significant digits, which covers
every price the APIs accept (at most 1e9, six places); amounts in cents go
to clients as decimal strings (``GET /v1/statements``).
"""

import decimal

import orjson

PLACES = 6


def has_places(value, places=PLACES):
    """True if ``value`` has no non-zero digit after ``places`` places."""
    _, digits, exponent = value.as_tuple()
    beyond = -exponent - places
    return beyond <= 0 or not any(digits[-beyond:])


def text(value):
    """``value`` in positional notation, with at least one place and no
    trailing zeros: ``1.5``, ``100.0``, ``0.000001`` (never ``1E-6``)."""
    written = str(value)  # '1.250000', as the databases give it: fast
    if 'E' in written or '.' not in written:
        written = format(value, 'f')
        if '.' not in written:
            return written + '.0'
    written = written.rstrip('0')
    return written + '0' if written.endswith('.') else written


def json_default(value):
    """orjson's ``default``: a finite Decimal as a JSON number, exactly."""
    if isinstance(value, decimal.Decimal) and value.is_finite():
        return orjson.Fragment(text(value))
    raise TypeError(f'{type(value).__name__} is not JSON serializable')


def dumps(value):
    """JSON bytes of ``value``, Decimals written exactly (naive datetimes
    as UTC, as the databases keep them)."""
    return orjson.dumps(value, default=json_default,
                        option=orjson.OPT_NAIVE_UTC)

