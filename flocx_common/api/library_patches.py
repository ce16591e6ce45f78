"""Where FLOCX replaces library internals for speed: all of it, here.

pecan 1.8 inspects the controller's signature several times on every
request (building a new namedtuple class each time); oslo.middleware
inspects ``process_response`` of every middleware and oslo.policy every
check's ``__call__``, on every request. A function's signature does not
change, so the answer is kept per function.

Each patch names the library versions it was written for (major.minor). On
another version it is not applied (a warning says so) and
tests/unit/common/test_library_patches.py fails, so that whoever upgrades the
library looks again: re-check the internals, then raise the version here.

Measured side by side (``bench/library_patches.py``: GET /v1/offers on the
market app in process, 1,000 requests, best of 5; ``UNPATCHED=1`` undoes
the patches): patched 807 us per request, unpatched 1,602 us (quiet
machine; 1,544 vs 2,806 us under load). They pay for themselves.
"""

import importlib.metadata
import inspect
import types

from oslo_log import log

LOG = log.getLogger(__name__)


def _memoized(getargspec):
    """``getargspec`` computed once per function (a bound method's is its
    ``__func__``'s: these inspect bound methods with ``self`` included)."""
    cache = {}

    def memoized(method):
        key = getattr(method, '__func__', method)
        try:
            return cache[key]
        except KeyError:
            spec = cache[key] = getargspec(method)
            return spec
        except TypeError:  # an unhashable callable: not worth keeping
            return getargspec(method)

    memoized.memoized = True
    return memoized


def _patch_pecan():
    import pecan.core
    import pecan.rest
    import pecan.routing
    for module in (pecan.core, pecan.rest, pecan.routing):
        if not getattr(module.getargspec, 'memoized', False):
            module.getargspec = _memoized(module.getargspec)


def _patch_oslo_middleware():
    from oslo_middleware import base
    if not getattr(base.getfullargspec, 'memoized', False):
        base.getfullargspec = _memoized(inspect.getfullargspec)


def _patch_oslo_policy():
    from oslo_policy import _checks
    if not getattr(_checks.inspect, 'memoized', False):
        # oslo.policy calls inspect.getfullargspec through its module global.
        _checks.inspect = types.SimpleNamespace(
            getfullargspec=_memoized(inspect.getfullargspec), memoized=True)


# distribution: (the major.minor versions whose internals were read, patch).
# oslo.middleware 8.1 and oslo.policy 5.1 are the newest on Python 3.10; the
# patched code is the same there (compared line by line).
PATCHES = {
    'pecan': (('1.8',), _patch_pecan),
    'oslo.middleware': (('8.1', '8.2'), _patch_oslo_middleware),
    'oslo.policy': (('5.1', '6.0'), _patch_oslo_policy),
}

applied = set()


def version_matches(distribution, written_for):
    installed = importlib.metadata.version(distribution)
    return '.'.join(installed.split('.')[:2]) in written_for


def apply():
    """Apply each patch whose library is the version it was written for."""
    for distribution, (written_for, patch) in PATCHES.items():
        if distribution in applied:
            continue
        if not version_matches(distribution, written_for):
            LOG.warning('%s %s is not the %s.x its speed patch was written '
                        'for: not applied (flocx_common.api.library_patches)',
                        distribution,
                        importlib.metadata.version(distribution),
                        ' or '.join(written_for))
            continue
        patch()
        applied.add(distribution)
