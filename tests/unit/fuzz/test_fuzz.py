"""CI-sized schemathesis fuzzing of the three APIs (see harness.py).

A few hundred generated requests per API, noauth personas and
keystonemiddleware tokens (known and malformed), deterministic; the long
run is ``tox -e fuzz`` (python -m tests.unit.fuzz.run).
"""

import pytest

from tests.unit.fuzz import harness

# (examples per operation and mode in noauth mode, through keystone)
SIZES = {'market': (12, 4), 'auction': (8, 3), 'provider': (12, 4)}


@pytest.mark.parametrize('api', sorted(SIZES))
def test_fuzz(api):
    stats = harness.Stats()
    examples, keystone_examples = SIZES[api]
    harness.fuzz_api(api, stats, examples, keystone_examples)
    print(stats.summary())
    assert stats.requests[api] >= 150, stats.summary()
    assert not stats.failures, '\n'.join(
        f"{f['operation']}: {f['problem']}\n    {f['request']}"
        for f in stats.failures)


def test_documented_answer_without_a_body():
    """A 204 (documented without content) is judged, not a KeyError that
    stopped the long run behind real Keystone when the system admin deleted
    a cloud: no body is right, a body is a failure."""
    schema, raw = harness.load_spec('market')
    delete, = [op.ok() for op in schema.get_all_operations()
               if op.ok().method.upper() == 'DELETE'
               and op.ok().path == '/v1/clouds/{name}']
    assert harness.check_response(raw, delete, 204, {}, b'') is None
    assert 'with a body' in harness.check_response(raw, delete, 204, {},
                                                   b'{}')
