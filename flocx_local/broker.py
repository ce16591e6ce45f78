"""A RabbitMQ virtual host of the local cloud's own, made at ``up``, deleted at ``down``.

oslo.messaging leaves its queues on the broker when a service stops: the
topic and server queues never expire, and the reply and fanout queues only
after ``rabbit_transient_queues_ttl`` (30 minutes). Its options cannot make
the topic queues go away without making their exchanges auto-delete too,
which breaks publishers that cached the exchange as declared. So the local
cloud puts everything in a virtual host of its own and ``down`` deletes the
virtual host, with every queue and exchange in it. That also keeps two
local clouds (or a test run beside a developer's cloud) apart.

Creating a virtual host needs the broker's administration tool,
``rabbitmqctl`` (root, or the broker's Erlang cookie). It is used only when
the node it reaches listens on the transport URL's own host and port;
otherwise the URL is used as given, and ``up`` says that its queues will
stay on the broker.
"""
import json
import shutil
import subprocess
import urllib.parse
import uuid

CTL_TIMEOUT = 60


class BrokerError(RuntimeError):
    pass


def _ctl(*args):
    ctl = shutil.which('rabbitmqctl')
    if ctl is None:
        raise BrokerError('rabbitmqctl is not installed')
    result = subprocess.run([ctl, '-q', *args], capture_output=True,
                            text=True, timeout=CTL_TIMEOUT)
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines()
        raise BrokerError(f'rabbitmqctl {args[0]}: '
                          f'{lines[-1] if lines else result.returncode}')
    return result.stdout


def _single_host(url):
    parts = urllib.parse.urlsplit(url)
    if not parts.scheme.startswith('rabbit') or ',' in parts.netloc:
        return None
    return parts


def _ctl_reaches(parts):
    """Whether rabbitmqctl administers the broker at the URL's host and port."""
    status = json.loads(_ctl('status', '--formatter', 'json'))
    port = parts.port or 5672
    loopback = parts.hostname in ('127.0.0.1', 'localhost', '::1')
    for listener in status.get('listeners', []):
        if listener.get('protocol') != 'amqp' or listener.get('port') != port:
            continue
        interface = listener.get('interface')
        if interface in ('::', '0.0.0.0', parts.hostname) or (
                loopback and interface in ('127.0.0.1', '::1')):
            return True
    return False


def make_own_vhost(url):
    """(URL on a new virtual host, its name), or (url, None) and why not.

    Returns a third item: None, or the reason the URL is used as given.
    """
    parts = _single_host(url)
    if parts is None:
        return url, None, 'not a single-host rabbit:// URL'
    try:
        if not _ctl_reaches(parts):
            return url, None, ('rabbitmqctl administers another broker '
                               'than the URL names')
        name = f'flocx-local-{uuid.uuid4().hex[:12]}'
        _ctl('add_vhost', name)
        try:
            _ctl('set_permissions', '-p', name,
                 urllib.parse.unquote(parts.username or 'guest'),
                 '.*', '.*', '.*')
        except BrokerError:
            delete_vhost(name)
            raise
    except (BrokerError, OSError, ValueError,
            subprocess.TimeoutExpired) as e:
        return url, None, str(e)
    vhost_url = urllib.parse.urlunsplit(parts._replace(
        path='/' + urllib.parse.quote(name, safe='')))
    return vhost_url, name, None


def delete_vhost(name):
    """Delete the virtual host and everything in it (no error if gone)."""
    try:
        _ctl('delete_vhost', name)
    except BrokerError as e:
        if 'does not exist' not in str(e) and 'no_such_vhost' not in str(e):
            raise
