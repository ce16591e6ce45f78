"""The provider's calls to Ironic: find, describe, lend and reclaim a node.

Every function takes an ``openstack.connection.Connection``. In FLOCX it is the
``flocx`` user scoped to the owner's project with the ``service`` role, which
Ironic honours only on nodes that project owns (see ironic_patches/README.rst);
the functions work with any identity that Ironic lets do the same.

Node ids are passed to every update, never openstacksdk ``Node`` objects: a
Node keeps a failed change dirty and would send it again with the next one.

Every call sends the global request id of the request being served (the
current oslo.context of the thread: an API request, or an RPC call carrying
its caller's context) as ``X-OpenStack-Request-ID``, so Ironic's log lines
name the FLOCX request that caused them.

Transient failures (connection errors, 502/503/504, a node locked by a
conductor) are retried with exponential back-off; anything else is raised as
an ``IronicError`` whose ``reason`` says what failed.
"""
import functools
import logging

from oslo_context import context as oslo_context
import tenacity
from keystoneauth1 import exceptions as ks_exceptions
from openstack import exceptions as sdk_exceptions
from openstack import utils as sdk_utils

LOG = logging.getLogger(__name__)

# node.lessee exists from this API version on.
LESSEE_MICROVERSION = '1.65'
# Real hardware cleans for minutes to an hour; fake-hardware in ~0.2 s.
RECLAIM_TIMEOUT = 3600
STATE_TIMEOUT = 600
# Poll fast first (fake hardware, short transitions), then back off to spare
# a real Ironic during long cleaning.
POLL_INTERVAL = 0.1
MAX_POLL_INTERVAL = 5.0

# Ironic provision states (ironic/common/states.py), by what reclaim does.
UNDEPLOY_FROM = frozenset({
    'active', 'wait call-back', 'deploy failed', 'error', 'rescue',
    'rescue wait', 'rescue failed', 'unrescue failed', 'service wait',
    'service failed'})
MANAGE_FROM = frozenset({'clean failed', 'inspect failed', 'adopt failed'})


class IronicError(Exception):
    """An Ironic call failed for good; ``reason`` says why."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


class NodeNotFound(IronicError):
    """No such node, or not visible to the caller's project."""


class NotOwner(IronicError):
    """The node is visible (e.g. leased to the project) but owned by another."""


class NotOfferable(IronicError):
    """The node cannot be offered on the market now."""


def _is_transient(exc):
    if isinstance(exc, ks_exceptions.RetriableConnectionFailure):
        return True
    if isinstance(exc, sdk_exceptions.HttpException):
        if exc.status_code in (502, 503, 504):
            return True
        # NodeLocked: a conductor holds the node for a moment.
        return exc.status_code == 409 and 'locked' in str(exc).lower()
    return False


# Transient failures: up to 6 attempts within a minute, 0.2 s, 0.4 s, ... apart.
RETRY_WAIT = tenacity.wait_exponential(multiplier=0.2, max=5)
RETRY_STOP = tenacity.stop_after_attempt(6) | tenacity.stop_after_delay(60)


def _call(what, func, *args, **kwargs):
    """``func(*args, **kwargs)``, retried if transient.

    A failure becomes an IronicError whose reason starts with ``what``.
    """
    retrying = tenacity.Retrying(
        retry=tenacity.retry_if_exception(_is_transient),
        wait=RETRY_WAIT, stop=RETRY_STOP, reraise=True,
        before_sleep=tenacity.before_sleep_log(LOG, logging.WARNING))
    try:
        return retrying(func, *args, **kwargs)
    except sdk_exceptions.NotFoundException as e:
        raise NodeNotFound(f'{what}: not found ({_details(e)})') from e
    except sdk_exceptions.HttpException as e:
        raise IronicError(f'{what}: HTTP {e.status_code}: {_details(e)}') \
            from e
    except (sdk_exceptions.SDKException,
            ks_exceptions.ClientException) as e:
        raise IronicError(f'{what}: {e}') from e


def _sends_global_request_id(func):
    """``func(conn, ...)`` with ``conn`` sending the current global id.

    openstacksdk's ``Connection.global_request`` gives a connection on the
    same session (tokens, discovery cache) whose every request carries the
    id; the shared per-project connection itself is never changed, since
    threads serving other requests use it at the same time.
    """
    @functools.wraps(func)
    def wrapper(conn, *args, **kwargs):
        ctx = oslo_context.get_current()
        if ctx is not None and ctx.global_id and \
                hasattr(conn, 'global_request'):
            conn = _with_global_id(conn, ctx.global_id)
        return func(conn, *args, **kwargs)
    return wrapper


def _with_global_id(conn, global_id):
    try:
        scoped = conn.global_request(global_id)
    except TypeError:
        # openstacksdk cannot clone a connection built from a clouds.yaml
        # entry (from_session() gets discovery_cache twice): such a
        # connection goes on without the id rather than fail the call.
        return conn
    # A microversion the caller pinned on the proxy holds for the clone.
    pinned = getattr(conn.baremetal, 'default_microversion', None)
    if pinned:
        scoped.baremetal.default_microversion = pinned
    return scoped


def _details(exc):
    return exc.details or exc.message or str(exc)


@_sends_global_request_id
def get_owned_node(conn, node_ident, project_id):
    """The node with this uuid or name, if ``project_id`` owns it.

    Raises NodeNotFound if the caller cannot see it, NotOwner if it can (as
    lessee, or as a system-scoped caller) but the project does not own it.
    """
    node = _call(f'look up node {node_ident}', conn.baremetal.find_node,
                 node_ident, ignore_missing=True)
    if node is None:
        raise NodeNotFound(f'node {node_ident} not found')
    if node.owner != project_id:
        raise NotOwner(f'node {node_ident} is not owned by project '
                       f'{project_id}')
    return node


@_sends_global_request_id
def list_owned_nodes(conn, project_id):
    """The nodes ``project_id`` owns (Ironic's ``owner`` filter), with
    their properties and traits."""
    return _call(f'list the nodes of project {project_id}',
                 lambda: list(conn.baremetal.nodes(details=True,
                                                   owner=project_id)))


def check_offerable(node):
    """Raise NotOfferable unless the node is free to offer.

    Free: available, not in maintenance, no lessee, no instance.
    """
    problems = []
    if node.provision_state != 'available':
        problems.append(f'provision state is {node.provision_state!r}, '
                        'not available')
    if node.is_maintenance:
        problems.append('in maintenance'
                        + (f' ({node.maintenance_reason})'
                           if node.maintenance_reason else ''))
    if node.lessee:
        problems.append(f'already leased to {node.lessee}')
    if node.instance_id:
        problems.append(f'has instance {node.instance_id}')
    if problems:
        raise NotOfferable(f'node {node.id} is not offerable: '
                           + '; '.join(problems))


def hardware_config(node):
    """What the market matches bids on: resource class, properties and traits."""
    props = node.properties or {}
    return {
        'resource_class': node.resource_class,
        'properties': {
            'cpus': _int_or_none(props.get('cpus')),
            'memory_mb': _int_or_none(props.get('memory_mb')),
            'local_gb': _int_or_none(props.get('local_gb')),
            'cpu_arch': props.get('cpu_arch'),
        },
        'traits': sorted(node.traits or []),
    }


def _int_or_none(value):
    # Ironic stores properties as given; "8" and 8 both occur.
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@_sends_global_request_id
def lend(conn, node_id, lessee_project_id):
    """Make ``lessee_project_id`` the node's lessee. Returns the updated node."""
    _require_lessee_microversion(conn)
    node = _call(f'set lessee of node {node_id}', conn.baremetal.patch_node,
                 node_id, [{'op': 'add', 'path': '/lessee',
                            'value': lessee_project_id}])
    LOG.info('lent node %s to project %s', node_id, lessee_project_id)
    return node


def _require_lessee_microversion(conn):
    # openstacksdk negotiates the newest version both sides know, unless the
    # connection pins an older one (baremetal_api_version): then the lessee
    # would be rejected with a less obvious error.
    if not sdk_utils.supports_microversion(conn.baremetal,
                                           LESSEE_MICROVERSION):
        raise IronicError(f'Ironic API >= {LESSEE_MICROVERSION} is needed to '
                          'set a lessee (check the server version and '
                          'baremetal_api_version)')


@_sends_global_request_id
def reclaim(conn, node_id, timeout=RECLAIM_TIMEOUT):
    """Take a node back from its lessee: clean, powered off, available.

    Unsets the lessee first, so the lessee loses access at once. Then
    removes what the renter left on the node (``scrub``: its VIFs, an
    enabled console, ``extra`` and ``instance_info``), as esi-leap's lease
    removal does, and from whatever state the lessee left: undeploys a
    deployed node (Ironic cleans it on the way to available), provides a
    manageable node (cleaning too), and powers off an available one.
    Returns the node once it is available, off and scrubbed; raises
    IronicError on a failure state or after ``timeout`` s.
    """
    _call(f'unset lessee of node {node_id}', conn.baremetal.patch_node,
          node_id, [{'op': 'remove', 'path': '/lessee'}])
    LOG.info('unset lessee of node %s; reclaiming it', node_id)
    return _poll_until(lambda: _reclaim_step(conn, node_id), timeout,
                       f'reclaim node {node_id}')


def scrub(conn, node):
    """Remove what a renter wrote on the node; True if it changed any.

    VIFs are detached and the console disabled first (a renter's network
    and console session must not outlive its contract), then ``extra``
    and ``instance_info`` (once the node is torn down) are emptied. An
    owner keeps nothing of its own in ``extra`` of a node it offers: the
    renter may write it. Run before
    any cleaning step, and again once the node is available (a tear-down
    leaves ``instance_info`` empty; a renter that only wrote it did not).
    """
    changed = False
    for vif in _call(f'list VIFs of node {node.id}',
                     lambda: list(conn.baremetal.list_node_vifs(node.id))):
        _call(f'detach VIF {vif} from node {node.id}',
              conn.baremetal.detach_vif_from_node, node.id, vif)
        changed = True
    if node.is_console_enabled:
        _call(f'disable console of node {node.id}',
              conn.baremetal.disable_node_console, node.id)
        changed = True
    fields = ['extra']
    if node.provision_state not in UNDEPLOY_FROM:
        # A deployed node's tear-down needs its instance_info, and empties
        # it itself; the next look (available) checks.
        fields.append('instance_info')
    patch = [{'op': 'replace', 'path': f'/{field}', 'value': {}}
             for field in fields if getattr(node, field)]
    if patch:
        _call(f'clear {", ".join(p["path"][1:] for p in patch)} of node '
              f'{node.id}', conn.baremetal.patch_node, node.id, patch)
        changed = True
    if changed:
        LOG.info('removed what its renter left on node %s', node.id)
    return changed


def _reclaim_step(conn, node_id):
    """Push the node one step towards available and off; the node when there."""
    node = _get_node(conn, node_id)
    state = node.provision_state
    if node.target_provision_state or node.target_power_state:
        return None  # a transition is under way
    if node.is_maintenance and state != 'available':
        raise IronicError(f'node {node_id} is in maintenance in state '
                          f'{state!r} ({node.maintenance_reason}); reclaiming '
                          'it needs the owner or an operator')
    if state != 'enroll' and scrub(conn, node):
        return None  # look again: the node changed
    if state == 'available':
        if node.power_state != 'power on':
            return node
        _set_power_state(conn, node_id, 'power off')
    elif state in UNDEPLOY_FROM:
        _set_provision_state(conn, node_id, 'deleted')
    elif state in MANAGE_FROM:
        _set_provision_state(conn, node_id, 'manage')
    elif state == 'manageable':
        _set_provision_state(conn, node_id, 'provide')
    elif state == 'enroll':
        raise IronicError(f'node {node_id} is in enroll: it has not been '
                          'managed yet')
    return None


@_sends_global_request_id
def enroll_self_owned_node(conn, *, name=None, driver='fake-hardware',
                           driver_info=None, resource_class='baremetal',
                           properties=None, timeout=STATE_TIMEOUT):
    """Enroll a node owned by the caller's own project and make it available.

    For a small owner without an operator: Ironic's
    ``[api] project_admin_can_manage_own_nodes`` lets a project-scoped admin
    create nodes, owned by its own project only. Returns the node id.
    """
    node = _call('enroll node', conn.baremetal.create_node, driver=driver,
                 name=name, driver_info=driver_info or {},
                 resource_class=resource_class, properties=properties or {})
    for action, state in (('manage', 'manageable'), ('provide', 'available')):
        _set_provision_state(conn, node.id, action)
        wait_for_provision_state(conn, [node.id], state, timeout=timeout)
    LOG.info('enrolled node %s owned by %s', node.id, node.owner)
    return node.id


@_sends_global_request_id
def wait_for_provision_state(conn, node_ids, state, timeout=STATE_TIMEOUT,
                             poll_interval=POLL_INTERVAL,
                             max_poll_interval=MAX_POLL_INTERVAL):
    """Wait until every node is in provision ``state``.

    Raises IronicError if one reaches a failure state, or after ``timeout``.
    """
    def remaining():
        left = []
        for node_id in node_ids:
            node = _get_node(conn, node_id)
            if node.provision_state == state:
                continue
            failed = (node.provision_state.endswith(' failed')
                      or node.provision_state == 'error'
                      # a failed "manage" falls back to enroll
                      or (state == 'manageable'
                          and node.provision_state == 'enroll'
                          and not node.target_provision_state
                          and node.last_error))
            if failed:
                raise IronicError(f'node {node_id} went to '
                                  f'{node.provision_state!r} instead of '
                                  f'{state!r}: {node.last_error}')
            left.append(node_id)
        return None if left else True

    _poll_until(remaining, timeout, f'wait for {state} of nodes {node_ids}',
                poll_interval, max_poll_interval)


@_sends_global_request_id
def wait_for_power_state(conn, node_id, state, timeout=STATE_TIMEOUT):
    """Wait until the node's power state is ``state`` ('power on' or 'power off')."""
    def reached():
        node = _get_node(conn, node_id)
        return True if node.power_state == state else None

    _poll_until(reached, timeout, f'wait for {state} of node {node_id}')


def _poll_until(step, timeout, what, poll_interval=POLL_INTERVAL,
                max_poll_interval=MAX_POLL_INTERVAL):
    """Call ``step`` until it returns something other than None."""
    try:
        return tenacity.Retrying(
            retry=tenacity.retry_if_result(lambda result: result is None),
            wait=tenacity.wait_exponential(multiplier=poll_interval,
                                           min=poll_interval,
                                           max=max_poll_interval),
            stop=tenacity.stop_after_delay(timeout))(step)
    except tenacity.RetryError as e:
        raise IronicError(f'{what}: not done after {timeout} s') from e


def _get_node(conn, node_id):
    return _call(f'get node {node_id}', conn.baremetal.get_node, node_id)


def _set_provision_state(conn, node_id, action):
    LOG.debug('node %s: provision action %s', node_id, action)
    _call(f'{action} node {node_id}', conn.baremetal.set_node_provision_state,
          node_id, action)


def _set_power_state(conn, node_id, target):
    LOG.debug('node %s: %s', node_id, target)
    _call(f'{target} node {node_id}', conn.baremetal.set_node_power_state,
          node_id, target)
