"""A second real cloud (its own Keystone and Ironic) beside ``realstack``."""

import os
import shutil

import pytest

from flocx_local import openstack as local_openstack


@pytest.fixture(scope='session')
def second_cloud(realstack, tmp_path_factory):
    """Cloud B: another LocalOpenStack, with Fernet keys of its own.

    Restored from the same snapshot as ``realstack``, it has the same project
    ids and passwords: which is what clouds must never be confused by.
    """
    run_dir = tmp_path_factory.mktemp('cloud-b')
    cloud = local_openstack.LocalOpenStack(
        run_dir, cache_dir=os.environ.get('FLOCX_OPENSTACK_CACHE',
                                          local_openstack.DEFAULT_CACHE_DIR))
    try:
        cloud.start()
        yield cloud
    finally:
        cloud.stop()
        shutil.rmtree(run_dir, ignore_errors=True)
