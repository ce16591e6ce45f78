"""Whether a node's hardware satisfies a bid: shared by market and engine.

A bid names an optional ``resource_class`` and a list of constraints
``{"property": name, "op": op, "value": value}`` on the node's properties.
"""

import operator

OPS = {
    '==': operator.eq,
    '!=': operator.ne,
    '<': operator.lt,
    '<=': operator.le,
    '>': operator.gt,
    '>=': operator.ge,
    'in': lambda have, want: have in want,
    'has': lambda have, want: isinstance(have, (list, tuple)) and want in have,
}


def satisfies(resource_class, properties, bid_resource_class, constraints):
    if bid_resource_class is not None and resource_class != bid_resource_class:
        return False
    for constraint in constraints:
        have = properties.get(constraint['property'])
        if have is None:
            return False
        try:
            if not OPS[constraint['op']](have, constraint['value']):
                return False
        except TypeError:
            # e.g. "x86_64" >= 4: a constraint on the wrong kind of value
            # is simply not met.
            return False
    return True
