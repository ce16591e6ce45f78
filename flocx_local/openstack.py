"""A real Keystone and a real Ironic on loopback, for development and functional tests.

Both run as subprocesses in their own sessions, with SQLite and no message
broker: Keystone served by cheroot, Ironic as its single ``ironic`` process
(API and conductor) with fake-hardware and automated cleaning. Everything they
write stays in the run directory. They are never imported here: both use the
global oslo.config ``CONF``.

    python -m flocx_local.openstack start  --dir DIR [--cache-dir DIR]
    python -m flocx_local.openstack status --dir DIR
    python -m flocx_local.openstack stop   --dir DIR

In Python::

    cloud = LocalOpenStack(run_dir, cache_dir=cache,
                           service_urls={'marketplace': 'http://...'})
    cloud.start()
    nodes = cloud.enroll_nodes('org-a', 2)
    conn = cloud.connect('flocx-org-b-member')
    cloud.stop()
"""
import argparse
import concurrent.futures
import getpass
import grp
import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import openstack.config
import openstack.connection
import yaml

from flocx_local import configs, identity, processes, snapshot
from flocx_provider import ironic as provider_ironic

LOG = logging.getLogger(__name__)

HOST = '127.0.0.1'
# Per service; a contended 2-core CI machine needs ~30 s for a cold start.
READY_TIMEOUT = 120
STATE_FILE = 'local-openstack.json'
MARKER_FILE = '.flocx-local-openstack'
IRONIC_PATCHES_DIR = Path(__file__).resolve().parents[1] / 'ironic_patches'
DEFAULT_CACHE_DIR = Path(os.environ.get('XDG_CACHE_HOME',
                                        Path.home() / '.cache'),
                         'flocx', 'local-openstack')
# What the snapshot contents depend on besides the Keystone/Ironic versions.
LAYOUT = {'orgs': identity.DEMO_ORGS,
          'small_owner_orgs': identity.SMALL_OWNER_ORGS}
DEFAULT_NODE_PROPERTIES = {'cpus': 8, 'memory_mb': 16384, 'local_gb': 100,
                           'cpu_arch': 'x86_64'}


def apply_ironic_patches(policy_file, patches_dir=IRONIC_PATCHES_DIR):
    """Install FLOCX's Ironic policy overrides as ``policy_file``.

    Ironic (oslo.policy) reloads the file on the next request.
    """
    _replace_policy_file(policy_file,
                         (Path(patches_dir) / 'policy.yaml').read_text())


def remove_ironic_patches(policy_file):
    """Back to Ironic's in-code defaults.

    An empty file rather than no file: oslo.policy keeps using the rules of a
    file that has disappeared, but reloads one that changed.
    """
    _replace_policy_file(policy_file, '{}\n')


def _replace_policy_file(policy_file, text):
    policy_file = Path(policy_file)
    old_mtime = policy_file.stat().st_mtime_ns if policy_file.exists() else 0
    policy_file.write_text(text)
    # oslo.policy reloads only when the mtime grows; two writes within one
    # clock tick would otherwise look like one.
    if policy_file.stat().st_mtime_ns <= old_mtime:
        os.utime(policy_file, ns=(old_mtime + 1_000_000,) * 2)


def free_port(host=HOST):
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def console_script(name):
    """A command installed beside this Python (the virtualenv), else on PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if not found:
        raise RuntimeError(f'{name} not found: install keystone and ironic '
                           '(functional-requirements.txt)')
    return found


class LocalOpenStack:
    """A Keystone and an Ironic of our own, in ``run_dir``.

    ``service_urls`` ({service_type: url}) are put in the catalog, e.g. the
    FLOCX ``marketplace``, ``auction`` and ``provider`` endpoints.
    ``cache_dir``: where snapshots of the initialized databases are kept; None
    disables them. ``orgs`` and ``small_owner_orgs``: the demo organizations
    a new cloud gets (flocx_local/identity.py); each set has a snapshot of
    its own.
    """

    def __init__(self, run_dir, *, keystone_port=None, ironic_port=None,
                 service_urls=None, cache_dir=None,
                 ready_timeout=READY_TIMEOUT, ironic_patches=True,
                 orgs=identity.DEMO_ORGS,
                 small_owner_orgs=identity.SMALL_OWNER_ORGS):
        self.run_dir = Path(run_dir).resolve()
        self.layout = {'orgs': tuple(orgs),
                       'small_owner_orgs': tuple(small_owner_orgs)}
        self.keystone_port = keystone_port
        self.ironic_port = ironic_port
        self.service_urls = dict(service_urls or {})
        self.cache_dir = cache_dir
        self.ready_timeout = ready_timeout
        self.ironic_patches = ironic_patches
        self.state = {}
        self.timings = {}
        self.warm = False  # started from a snapshot
        if (self.run_dir / STATE_FILE).exists():
            self.state = json.loads((self.run_dir / STATE_FILE).read_text())

    # Where things are.
    keystone_etc = property(lambda self: self.run_dir / 'etc' / 'keystone')
    ironic_etc = property(lambda self: self.run_dir / 'etc' / 'ironic')
    log_dir = property(lambda self: self.run_dir / 'logs')
    pid_dir = property(lambda self: self.run_dir / 'pids')
    clouds_yaml = property(lambda self: self.run_dir / 'clouds.yaml')
    state_file = property(lambda self: self.run_dir / STATE_FILE)
    policy_file = property(lambda self: self.ironic_etc / 'policy.yaml')
    auth_url = property(lambda self: self.state['auth_url'])
    ironic_url = property(lambda self: self.state['ironic_url'])

    def project_id(self, name):
        """The id of a project: 'service' or an organization, e.g. 'org-a'."""
        return self.state['projects'][name]

    def password(self, user):
        return self.state['passwords'][user]

    def connect(self, cloud):
        """An openstacksdk Connection for a cloud of clouds.yaml.

        E.g. 'flocx-admin' (system scope), 'flocx-org-a-member',
        'flocx-service-org-a' (the FLOCX provider acting for org-a).
        """
        config = openstack.config.OpenStackConfig(
            config_files=[str(self.clouds_yaml)], vendor_files=[],
            secure_files=[])
        return openstack.connection.Connection(
            config=config.get_one(cloud=cloud))

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    # Lifecycle.
    def status(self):
        """{'keystone': pid or None, 'ironic': pid or None}"""
        return {name: processes.running_pid(self.pid_dir / f'{name}.pid',
                                            str(self.run_dir))
                for name in ('keystone', 'ironic')}

    def start(self):
        if any(self.status().values()):
            raise RuntimeError(f'already running in {self.run_dir}')
        t0 = time.monotonic()
        self._prepare_run_dir()
        keystone_port = self.keystone_port or free_port()
        ironic_port = self.ironic_port or free_port()
        self.state = {'auth_url': f'http://{HOST}:{keystone_port}/v3',
                      'ironic_url': f'http://{HOST}:{ironic_port}',
                      'keystone_port': keystone_port,
                      'ironic_port': ironic_port,
                      'region': identity.REGION,
                      'clouds_yaml': str(self.clouds_yaml),
                      'service_urls': self.service_urls}
        try:
            self._start_services()
            conn = identity.admin_connection(self.auth_url,
                                             self.password('admin'))
            for service_type, url in self.service_urls.items():
                identity.register_service(conn, service_type, url)
            identity.write_clouds_yaml(self.clouds_yaml,
                                       self.auth_url, self.state['passwords'],
                                       self.state)
            os.chmod(self.clouds_yaml, 0o600)
        except BaseException:
            LOG.error('start failed; stopping what was started (logs in %s)',
                      self.log_dir)
            self.stop()
            raise
        self.timings['start_total_s'] = round(time.monotonic() - t0, 2)
        self._write_state()
        LOG.info('Keystone %s and Ironic %s ready in %.1f s (%s start)',
                 self.auth_url, self.ironic_url,
                 self.timings['start_total_s'],
                 'warm' if self.warm else 'cold')

    def stop(self):
        """Stop Ironic and Keystone; returns their processes.Stopped."""
        # Both at once: each takes a few seconds to shut down.
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            stopping = [pool.submit(processes.stop, name,
                                    self.pid_dir / f'{name}.pid',
                                    str(self.run_dir))
                        for name in ('ironic', 'keystone')]
        return [future.result() for future in stopping]

    def _prepare_run_dir(self):
        # Only ever wipe a directory this class made.
        if self.run_dir.exists() and any(self.run_dir.iterdir()):
            if not (self.run_dir / MARKER_FILE).exists():
                raise RuntimeError(f'{self.run_dir} is not empty and not a '
                                   'local OpenStack run dir; not wiping it')
            shutil.rmtree(self.run_dir)
        for path in (self.keystone_etc, self.ironic_etc, self.log_dir,
                     self.pid_dir):
            path.mkdir(parents=True)
        (self.run_dir / MARKER_FILE).touch()
        os.chmod(self.run_dir, 0o700)  # it holds passwords and keys

    def _start_services(self):
        if not self.cache_dir:
            self._cold_start(snapshot_cache=None)
            return
        cache = snapshot.SnapshotCache(self.cache_dir, self.layout)
        # The first of several concurrent starters (pytest-xdist workers)
        # builds the snapshot; the others wait, then restore it.
        with cache.lock():
            saved = cache.restore(self.run_dir) if cache.exists() else None
            if saved is None:
                self._cold_start(snapshot_cache=cache)
                return
        self._warm_start(saved)

    def _cold_start(self, snapshot_cache):
        LOG.info('initializing Keystone and Ironic in %s', self.run_dir)
        self.state['passwords'] = identity.new_passwords(**self.layout)
        self._write_configs()
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            # Ironic needs Keystone only at its first authenticated request.
            ironic = pool.submit(self._init_and_start_ironic,
                                 keep_pristine_db=bool(snapshot_cache))
            self._init_keystone()
            self._spawn_and_wait('keystone', self._keystone_argv())
            t = time.monotonic()
            conn = identity.admin_connection(self.auth_url,
                                             self.password('admin'))
            self.state.update(identity.populate(
                conn, self.state['passwords'], **self.layout))
            identity.register_service(conn, 'baremetal', self.ironic_url)
            self._timed('keystone_setup_s', t)
            ironic.result()
        if snapshot_cache:
            snapshot_cache.save(
                self.run_dir, self.run_dir / 'ironic-pristine.db',
                {k: self.state[k] for k in ('passwords', 'projects', 'orgs')})
            (self.run_dir / 'ironic-pristine.db').unlink()
            LOG.info('saved a snapshot in %s for faster starts',
                     snapshot_cache.path)

    def _warm_start(self, saved):
        LOG.info('restored Keystone and Ironic state from a snapshot')
        self.warm = True
        self.state.update(saved)
        snapshot.repoint_catalog(self.run_dir / 'keystone.db',
                                 {'identity': self.auth_url,
                                  'baremetal': self.ironic_url})
        self._write_configs()
        ironic = self._spawn('ironic', self._ironic_argv())
        self._spawn_and_wait('keystone', self._keystone_argv())
        self._wait('ironic', ironic)

    def _write_configs(self):
        configs.write_ini(self.keystone_etc / 'keystone.conf',
                          configs.keystone_conf(self.run_dir, self.log_dir))
        configs.write_ini(self.ironic_etc / 'ironic.conf', configs.ironic_conf(
            self.run_dir, self.log_dir, self.policy_file, HOST,
            self.state['ironic_port'], self.auth_url, identity.IRONIC_USER,
            self.password(identity.IRONIC_USER), identity.REGION))
        if self.ironic_patches:
            apply_ironic_patches(self.policy_file)
        else:
            remove_ironic_patches(self.policy_file)

    def _init_keystone(self):
        t = time.monotonic()
        manage = [console_script('keystone-manage'), '--config-file',
                  str(self.keystone_etc / 'keystone.conf')]
        owner = ['--keystone-user', getpass.getuser(),
                 '--keystone-group', grp.getgrgid(os.getgid()).gr_name]
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            keys = pool.submit(self._run_all, 'keystone-keys',
                               manage + ['fernet_setup'] + owner,
                               manage + ['credential_setup'] + owner)
            self._run_all('keystone-db-sync', manage + ['db_sync'])
            keys.result()
        self._run_all('keystone-bootstrap', manage + [
            'bootstrap', '--bootstrap-password', self.password('admin'),
            '--bootstrap-region-id', identity.REGION,
            '--bootstrap-public-url', self.auth_url,
            '--bootstrap-internal-url', self.auth_url])
        self._timed('keystone_init_s', t)

    def _init_and_start_ironic(self, keep_pristine_db):
        t = time.monotonic()
        self._run_all('ironic-dbsync', [
            console_script('ironic-dbsync'), '--config-file',
            str(self.ironic_etc / 'ironic.conf'), 'create_schema'])
        if keep_pristine_db:
            shutil.copy(self.run_dir / 'ironic.db',
                        self.run_dir / 'ironic-pristine.db')
        self._timed('ironic_init_s', t)
        self._spawn_and_wait('ironic', self._ironic_argv())

    def _keystone_argv(self):
        # Run by path: the server needs Keystone and cheroot, not this
        # package on sys.path.
        server = Path(__file__).with_name('keystone_wsgi.py')
        return [sys.executable, str(server),
                '--config-dir', str(self.keystone_etc), '--host', HOST,
                '--port', str(self.state['keystone_port'])]

    def _ironic_argv(self):
        return [console_script('ironic'), '--config-file',
                str(self.ironic_etc / 'ironic.conf')]

    def _spawn(self, name, argv):
        proc = processes.spawn(name, argv, self.pid_dir, self.log_dir,
                               env=_service_env())
        return proc, time.monotonic()

    def _wait(self, name, spawned):
        proc, t = spawned
        url = self.auth_url if name == 'keystone' else self.ironic_url + '/'
        processes.wait_until_answering(name, url, proc, self.ready_timeout,
                                       self.log_dir / f'{name}.log')
        self._timed(f'{name}_ready_s', t)

    def _spawn_and_wait(self, name, argv):
        self._wait(name, self._spawn(name, argv))

    def _run_all(self, name, *commands):
        with open(self.log_dir / f'{name}.out', 'ab') as out:
            for argv in commands:
                result = subprocess.run(argv, check=False,
                                        stdin=subprocess.DEVNULL,
                                        stdout=out, stderr=subprocess.STDOUT,
                                        env=_service_env(),
                                        timeout=self.ready_timeout)
                if result.returncode:
                    out.flush()
                    raise processes.ServiceError(
                        f'{Path(argv[0]).name} {argv[-1]} failed with '
                        f'{result.returncode}: '
                        f'{processes.last_error(out.name)}', out.name)

    def _timed(self, what, t0):
        self.timings[what] = round(time.monotonic() - t0, 2)
        LOG.debug('%s: %.2f s', what, self.timings[what])

    def _write_state(self):
        self.state['timings'] = self.timings
        self.state_file.write_text(json.dumps(self.state, indent=1))
        os.chmod(self.state_file, 0o600)

    # Ironic content and policy.
    def enroll_nodes(self, owner_project, count, *,
                     resource_class='baremetal', properties=None, traits=(),
                     name_prefix=None, timeout=60):
        """Enroll ``count`` fake nodes owned by a project; make them available.

        ``owner_project``: a project id, or a name such as 'org-a'. Uses the
        system-scoped admin, as Ironic's default policy wants for
        enrollment. Returns the node ids.
        """
        owner_project_id = self.state['projects'].get(owner_project,
                                                      owner_project)
        conn = self.connect('flocx-admin')
        ids = []
        for i in range(count):
            node = conn.baremetal.create_node(
                driver='fake-hardware', owner=owner_project_id,
                resource_class=resource_class,
                properties=dict(properties or DEFAULT_NODE_PROPERTIES),
                name=f'{name_prefix}-{i}' if name_prefix else None)
            if traits:
                conn.baremetal.set_node_traits(node.id, list(traits))
            ids.append(node.id)
        for target, state in (('manage', 'manageable'),
                              ('provide', 'available')):
            for node_id in ids:
                conn.baremetal.set_node_provision_state(node_id, target)
            provider_ironic.wait_for_provision_state(
                conn, ids, state, timeout=timeout, max_poll_interval=0.1)
        return ids

    def apply_ironic_patches(self):
        apply_ironic_patches(self.policy_file)

    def remove_ironic_patches(self):
        remove_ironic_patches(self.policy_file)

    def register_service(self, service_type, url):
        """Add or repoint a catalog entry, e.g. once a FLOCX service has started."""
        identity.register_service(
            identity.admin_connection(self.auth_url, self.password('admin')),
            service_type, url)
        self.state['service_urls'][service_type] = url
        self._write_state()


def _service_env():
    # oslo.service's eventlet deprecation warnings would flood the logs.
    return dict(os.environ, PYTHONWARNINGS='ignore')


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog='python -m flocx_local.openstack',
        description='A real Keystone and Ironic on loopback.')
    parser.add_argument('command', choices=('start', 'stop', 'status'))
    parser.add_argument('--dir', required=True, help='run directory')
    parser.add_argument('--cache-dir', default=str(DEFAULT_CACHE_DIR),
                        help='snapshot cache (default: %(default)s)')
    parser.add_argument('--no-cache', action='store_true')
    parser.add_argument('--keystone-port', type=int)
    parser.add_argument('--ironic-port', type=int)
    parser.add_argument('--service-url', action='append', default=[],
                        metavar='TYPE=URL',
                        help='catalog entry, e.g. marketplace=http://...')
    parser.add_argument('--no-ironic-patches', action='store_true',
                        help="run Ironic with its default policy only")
    parser.add_argument('-v', '--verbose', action='store_true')
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO,
                        format='%(asctime)s %(name)s %(message)s')
    if args.verbose:  # ours only: the libraries' debug output is a flood
        for name in ('flocx_local', 'flocx_common', 'flocx_provider'):
            logging.getLogger(name).setLevel(logging.DEBUG)
    cloud = LocalOpenStack(
        args.dir, keystone_port=args.keystone_port,
        ironic_port=args.ironic_port,
        service_urls=dict(s.split('=', 1) for s in args.service_url),
        cache_dir=None if args.no_cache else args.cache_dir,
        ironic_patches=not args.no_ironic_patches)
    if args.command == 'start':
        cloud.start()
        print(f'export OS_CLIENT_CONFIG_FILE={cloud.clouds_yaml}')
        clouds = yaml.safe_load(cloud.clouds_yaml.read_text())['clouds']
        print(f'# clouds: {" ".join(clouds)}')
    elif args.command == 'stop':
        cloud.stop()
    else:
        status = cloud.status()
        print(json.dumps({'pids': status, **{
            k: cloud.state.get(k) for k in ('auth_url', 'ironic_url',
                                            'clouds_yaml')}}, indent=1))
        return 0 if all(status.values()) else 3
    return 0


if __name__ == '__main__':
    sys.exit(main())
