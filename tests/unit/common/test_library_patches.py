"""The speed patches of library internals (flocx_common.api.library_patches)
are applied on the library versions they were written for, and give the
library's own answers. An upgrade of pecan, oslo.middleware or oslo.policy
fails the first test: re-check the patched internals, then raise the
version in PATCHES."""

import inspect

import pecan.core
import pecan.util
import pecan.rest
import pecan.routing
from oslo_middleware import base as middleware_base
from oslo_policy import _checks as policy_checks

from flocx_common.api import app  # noqa: F401  (applies the patches)
from flocx_common.api import library_patches


def test_every_patch_applied_on_its_version():
    for distribution, (written_for, _) in library_patches.PATCHES.items():
        assert library_patches.version_matches(distribution, written_for), (
            f'{distribution} changed: re-check its patch')
    assert library_patches.applied == set(library_patches.PATCHES)


def test_the_patched_names_still_exist_and_are_memoized():
    for module in (pecan.core, pecan.rest, pecan.routing):
        assert module.getargspec.memoized
    assert middleware_base.getfullargspec.memoized
    assert policy_checks.inspect.getfullargspec.memoized


class _Controller:
    def get_one(self, uuid, *rest, limit=None):
        return uuid


def test_memoized_answers_equal_the_librarys():
    controller = _Controller()
    original = inspect.getfullargspec(controller.get_one)
    for spec in (middleware_base.getfullargspec,
                 policy_checks.inspect.getfullargspec):
        assert spec(controller.get_one) == original
        assert spec(controller.get_one) is spec(controller.get_one)
    assert pecan.core.getargspec(controller.get_one) == \
        pecan.util.getargspec(controller.get_one)
