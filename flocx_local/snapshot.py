"""A cache of initialized Keystone and Ironic state, so later starts take ~5 s.

A snapshot holds the Keystone database (with users, projects and catalog) and
its keys, an empty Ironic schema, and the passwords and ids that go with them.
It is keyed by the Keystone and Ironic versions and by what the setup creates,
so an upgrade or a change of the demo layout makes a new one.
"""
import base64
import hashlib
import json
import os
import shutil
import sqlite3
from importlib import metadata
from pathlib import Path

from oslo_concurrency import lockutils

# Bump when the setup in identity.py or the snapshot contents change.
FORMAT = 1
DATABASES = ('keystone.db', 'ironic.db')
KEY_DIRS = ('fernet-keys', 'credential-keys')
STATE_FILE = 'state.json'


def snapshot_key(layout):
    versions = [metadata.version('keystone'), metadata.version('ironic')]
    blob = json.dumps([FORMAT, versions, layout], sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


class SnapshotCache:
    def __init__(self, cache_dir, layout):
        self.cache_dir = Path(cache_dir)
        self.path = self.cache_dir / f'snapshot-{snapshot_key(layout)}'

    def lock(self):
        """An inter-process lock: one builds the snapshot, others wait."""
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        return lockutils.external_lock(f'{self.path.name}.lock',
                                       lock_path=str(self.cache_dir))

    def exists(self):
        return (self.path / STATE_FILE).is_file()

    def save(self, run_dir, ironic_db, state):
        """Keep the state of a freshly set-up run dir.

        ``ironic_db`` is a copy of Ironic's database before Ironic first
        started: an empty schema.
        """
        run_dir = Path(run_dir)
        tmp = self.path.with_name(f'{self.path.name}.tmp{os.getpid()}')
        tmp.mkdir(parents=True)
        # keystone.db is in use: the SQLite backup API copies it consistently.
        _sqlite_copy(run_dir / 'keystone.db', tmp / 'keystone.db')
        shutil.copy(ironic_db, tmp / 'ironic.db')
        for name in KEY_DIRS:
            shutil.copytree(run_dir / name, tmp / name)
        (tmp / STATE_FILE).write_text(json.dumps(state))
        os.chmod(tmp, 0o700)
        try:
            tmp.rename(self.path)  # atomic: a snapshot is whole or absent
        except OSError:  # another process saved one first
            shutil.rmtree(tmp)

    def restore(self, run_dir):
        """Copy the snapshot into ``run_dir``; return its saved state."""
        run_dir = Path(run_dir)
        for name in DATABASES:
            # Owner only, whatever the snapshot's mode: they hold password
            # hashes and, once used, the cloud's nodes and tokens.
            shutil.copyfile(self.path / name, run_dir / name)
            os.chmod(run_dir / name, 0o600)
        for name in KEY_DIRS:
            shutil.rmtree(run_dir / name, ignore_errors=True)
            shutil.copytree(self.path / name, run_dir / name)
            os.chmod(run_dir / name, 0o700)
        _new_fernet_keys(run_dir / 'fernet-keys')
        return json.loads((self.path / STATE_FILE).read_text())


def _new_fernet_keys(key_dir):
    """Keys of this Keystone's own: two Keystones restored from one snapshot
    would otherwise accept each other's tokens (the exchange's clouds must
    not). No token is kept in a snapshot, so none is lost."""
    for key in Path(key_dir).iterdir():
        key.write_bytes(base64.urlsafe_b64encode(os.urandom(32)))


def repoint_catalog(keystone_db, urls):
    """Point the catalog endpoints of each service type in ``urls`` to the new URL.

    Done in the database before Keystone starts, because clients (and Ironic's
    keystonemiddleware) reach the identity API through the catalog itself.
    """
    db = sqlite3.connect(keystone_db)
    try:
        with db:
            for service_type, url in urls.items():
                db.execute('UPDATE endpoint SET url = ? WHERE service_id IN '
                           '(SELECT id FROM service WHERE type = ?)',
                           (url, service_type))
    finally:
        db.close()


def _sqlite_copy(src, dst):
    source, target = sqlite3.connect(src), sqlite3.connect(dst)
    try:
        with target:
            source.backup(target)
    finally:
        source.close()
        target.close()
