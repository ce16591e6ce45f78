"""The panel's own code under Horizon's test settings (no Horizon server,
no APIs: the flocxclient calls are mocked at flocx_dashboard.api).

Skipped where Horizon is not installed: it is not a dependency of the
services' test environment (tox -e py3). The functional suite runs them in
Horizon's own virtualenv (tests/functional/dashboard/test_panel_units.py),
and fails there if any is skipped.
"""
import os

import pytest

pytest.importorskip('openstack_dashboard')
os.environ.setdefault('DJANGO_SETTINGS_MODULE',
                      'openstack_dashboard.test.settings')

import django  # noqa: E402

django.setup()
