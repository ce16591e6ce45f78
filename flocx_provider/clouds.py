"""Connections to Ironic and Keystone as the provider's own identity.

The provider acts as the ``flocx`` user ([ironic] auth options) scoped to
the project that owns the node: Ironic lets that identity act on the
project's own nodes and no others (ironic_patches/README.rst). A project
that has not granted the user a role cannot be scoped to, which is how an
organization keeps the provider away from its nodes.
"""

import threading

from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import loading
import openstack.connection

from flocx_provider.conf import ironic as ironic_conf

# Scope options of keystoneauth's identity plugins, all replaced by the
# project the provider acts for.
_SCOPE = ('project_id', 'project_name', 'project_domain_id',
          'project_domain_name', 'domain_id', 'domain_name', 'system_scope',
          'trust_id')


class NotGranted(Exception):
    """The project has not let the provider act on its nodes."""


class Unreachable(Exception):
    """Keystone could not be asked."""


class Clouds:
    def __init__(self, conf):
        self.conf = conf
        self._connections = {}
        self._lock = threading.Lock()

    def connection(self, project_id):
        """An openstacksdk Connection scoped to ``project_id`` (cached).

        Authenticates at once, so that a project which granted nothing is
        told apart from an Ironic failure.
        """
        with self._lock:
            conn = self._connections.get(project_id)
        if conn is not None:
            return conn
        conn = self._connect(project_id)
        try:
            conn.session.get_token()
        except (ks_exceptions.Unauthorized, ks_exceptions.Forbidden) as e:
            raise NotGranted(
                f'project {project_id} has not granted this provider\'s '
                f'user a role (Keystone: {e})') from e
        except ks_exceptions.ClientException as e:
            raise Unreachable(f'Keystone: {e}') from e
        with self._lock:
            self._connections.setdefault(project_id, conn)
        return conn

    def is_child_project(self, parent_id, child_id):
        """Whether Keystone says ``child_id``'s parent is ``parent_id``."""
        conn = self.connection(parent_id)
        # Scoped to the parent, the provider may read the parent with its
        # subtree; reading the child itself would need a role on it.
        try:
            resp = conn.identity.get(f'/projects/{parent_id}',
                                     params={'subtree_as_ids': 1})
        except ks_exceptions.ClientException as e:
            raise Unreachable(f'Keystone: {e}') from e
        if resp.status_code != 200:
            raise Unreachable(f'Keystone answered {resp.status_code} for '
                              f'project {parent_id}')
        subtree = resp.json()['project'].get('subtree') or {}
        return child_id in subtree

    def _connect(self, project_id):
        group = ironic_conf.GROUP
        options = self.conf[group]
        if not options.auth_type:
            raise Unreachable('[ironic] auth_type and the provider user\'s '
                              'credentials are not configured')
        loader = loading.get_plugin_loader(options.auth_type)
        known = {o.dest for o in loader.get_options()}
        scope = {k: None for k in _SCOPE if k in known}
        scope['project_id'] = project_id
        auth = loading.load_auth_from_conf_options(self.conf, group, **scope)
        session = loading.load_session_from_conf_options(self.conf, group,
                                                         auth=auth)
        interfaces = options.valid_interfaces or ['public']
        extra = {}
        if options.endpoint_override:
            extra['baremetal_endpoint_override'] = options.endpoint_override
        return openstack.connection.Connection(
            session=session, region_name=options.region_name,
            interface=interfaces[0], **extra)
