"""Identities in this cloud for renters whose organization lives elsewhere.

A contract's renter from another cloud (on the market its project is
``CLOUD:ID``, see flocx_common.context) has no identity in this cloud's
Keystone. At the contract's start the provider makes, in
``[remote_access] domain``:

* a project standing for the renter (one per renter, kept across contracts):
  it becomes the lessee of the contract's nodes, so Ironic shows the renter
  those nodes and no other;
* a user of this contract alone, with ``[remote_access] role`` on that
  project, and an application credential of that user that expires at the
  contract's end. The credential (id and secret) is what the renter gets,
  through the market, shown to the renter's project alone.

At the contract's end, or an early end, the user is deleted before the nodes
are reclaimed: Keystone then refuses the credential and revokes the tokens
made from it. Nothing here is kept in the provider's database: a secret
cannot be read back from Keystone, so a provider that starts again makes a
new user and credential and hands them over again.
"""

import secrets
import threading

from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import loading
import openstack.connection
from openstack import exceptions as sdk_exceptions

from flocx_provider.conf import remote_access as remote_access_conf

GROUP = remote_access_conf.GROUP


class Unavailable(Exception):
    """This cloud's Keystone could not make or remove a renter's identity."""


def user_name(contract_uuid):
    return f'contract-{contract_uuid}'


def project_name(renter):
    """The project standing for ``renter`` (``CLOUD:ID``) in this cloud."""
    return f'renter-{renter}'


class RemoteAccess:
    def __init__(self, conf):
        self.conf = conf
        self._conn = None
        self._lock = threading.Lock()

    @property
    def enabled(self):
        return self.conf[GROUP].enabled

    def grant(self, contract_uuid, renter, expires_at):
        """The renter's project id here, and this contract's credential.

        ``expires_at``: a naive UTC datetime, the contract's end.
        """
        try:
            return self._grant(contract_uuid, renter, expires_at)
        except (ks_exceptions.ClientException,
                sdk_exceptions.SDKException) as e:
            raise Unavailable(f'Keystone: {e}') from e

    def revoke(self, contract_uuid):
        """Delete the contract's user: its credential stops working."""
        try:
            conn = self._connection()
            domain = self._domain(conn)
            user = conn.identity.find_user(user_name(contract_uuid),
                                           domain_id=domain.id)
            if user is not None:
                conn.identity.delete_user(user, ignore_missing=True)
        except (ks_exceptions.ClientException,
                sdk_exceptions.SDKException) as e:
            raise Unavailable(f'Keystone: {e}') from e

    def _grant(self, contract_uuid, renter, expires_at):
        options = self.conf[GROUP]
        conn = self._connection()
        domain = self._domain(conn)
        project = conn.identity.find_project(project_name(renter),
                                             domain_id=domain.id)
        if project is None:
            project = conn.identity.create_project(
                name=project_name(renter), domain_id=domain.id,
                description=f'Renter {renter} of FLOCX contracts')
        name = user_name(contract_uuid)
        old = conn.identity.find_user(name, domain_id=domain.id)
        if old is not None:
            # Made before a restart: its credential's secret is lost.
            conn.identity.delete_user(old)
        password = secrets.token_urlsafe(32)
        user = conn.identity.create_user(
            name=name, password=password, domain_id=domain.id,
            description=f'FLOCX contract {contract_uuid}, until '
                        f'{expires_at.isoformat()}Z')
        role = conn.identity.find_role(options.role, ignore_missing=False)
        conn.identity.assign_project_role_to_user(project, user, role)
        # An application credential is made by its own user.
        auth_url = self._auth_url()
        as_user = openstack.connection.Connection(
            auth_url=auth_url, username=name, password=password,
            user_domain_id=domain.id, project_id=project.id,
            identity_api_version='3',
            verify=conn.session.verify)
        credential = as_user.identity.create_application_credential(
            user=user.id, name=name,
            expires_at=expires_at.strftime('%Y-%m-%dT%H:%M:%S'),
            roles=[{'name': options.role}], unrestricted=False,
            description='Reaches the nodes of one FLOCX contract')
        access = {
            'auth_type': 'v3applicationcredential',
            'auth_url': options.public_auth_url or auth_url,
            'application_credential_id': credential.id,
            'application_credential_secret': credential.secret,
            'project_id': project.id,
            'expires_at': expires_at.isoformat() + '+00:00',
        }
        return project.id, access

    def _connection(self):
        with self._lock:
            if self._conn is None:
                auth = loading.load_auth_from_conf_options(self.conf, GROUP)
                session = loading.load_session_from_conf_options(
                    self.conf, GROUP, auth=auth)
                self._conn = openstack.connection.Connection(
                    session=session, identity_api_version='3')
            return self._conn

    def _auth_url(self):
        return self.conf[GROUP].auth_url

    def _domain(self, conn):
        name = self.conf[GROUP].domain
        domain = conn.identity.find_domain(name)
        if domain is None:
            domain = conn.identity.create_domain(
                name=name, description='Identities FLOCX makes for renters '
                                       'of other clouds')
        return domain
