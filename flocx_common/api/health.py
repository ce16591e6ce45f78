"""oslo.middleware healthcheck backends: the database and the broker.

``/healthcheck`` (oslo.middleware's ``Healthcheck`` app) asks each backend
named in ``[healthcheck] backends``; the services default it to what they
depend on (``flocx_database`` for the market and the provider,
``flocx_broker`` for all three), and the answer is 503 when any says no.
The backends are registered under oslo.middleware's
``oslo.middleware.healthcheck`` entry point namespace (setup.cfg), so an
operator can combine them with oslo.middleware's own (``disable_by_file``).

A load balancer may ask several times a second: each backend keeps its
answer for ``CACHE_SECONDS`` so that probes cost the database and the broker
at most one connection each per interval.
"""

import socket
import threading
import time

import kombu
from oslo_config import cfg
from oslo_log import log
from oslo_middleware.healthcheck import pluginbase
import oslo_messaging as messaging
import sqlalchemy
from sqlalchemy import pool

LOG = log.getLogger(__name__)

CACHE_SECONDS = 2.0
TIMEOUT_SECONDS = 3


class _Cached(pluginbase.HealthcheckBaseExtension):
    """An answer computed at most once per CACHE_SECONDS."""

    def __init__(self, oslo_conf, conf):
        super().__init__(oslo_conf, conf)
        self._lock = threading.Lock()
        self._answer = None
        self._at = 0.0

    def healthcheck(self, server_port):
        with self._lock:
            now = time.monotonic()
            if self._answer is None or now - self._at >= CACHE_SECONDS:
                try:
                    self._answer = self.check()
                except Exception as e:  # the check itself must not 500
                    self._answer = pluginbase.HealthcheckResult(
                        available=False, reason=f'{type(e).__name__}: {e}')
                self._at = now
                if not self._answer.available:
                    # The answer's body is a bare 503 for the caller (no
                    # hosts or errors to anonymous clients); the reason is
                    # here.
                    LOG.warning('Healthcheck %s: unhealthy: %s',
                                type(self).__name__, self._answer.reason)
            return self._answer

    def check(self):
        raise NotImplementedError


class DatabaseCheck(_Cached):
    """``flocx_database``: the service's database answers and has a schema.

    A fresh connection each time (no pool): a pooled one could answer from
    a connection opened before the server went away. The schema's alembic
    revision is read, so a database that answers but was never migrated (or
    an SQLite file that was removed) counts as down.
    """

    def __init__(self, oslo_conf, conf):
        super().__init__(oslo_conf, conf)
        self._engine = None

    def check(self):
        url = self.oslo_conf.database.connection
        if not url:
            return pluginbase.HealthcheckResult(
                available=False, reason='no [database] connection is set')
        if self._engine is None:
            connect_args = {}
            if url.startswith('sqlite'):
                connect_args['timeout'] = TIMEOUT_SECONDS
            elif '+pymysql' in url or '+psycopg' in url:
                connect_args['connect_timeout'] = TIMEOUT_SECONDS
            self._engine = sqlalchemy.create_engine(
                url, poolclass=pool.NullPool, connect_args=connect_args)
        with self._engine.connect() as conn:
            revision = conn.execute(sqlalchemy.text(
                'SELECT version_num FROM alembic_version')).scalar()
        if revision is None:
            return pluginbase.HealthcheckResult(
                available=False, reason='the database has no schema')
        return pluginbase.HealthcheckResult(
            available=True, reason=f'database OK (revision {revision})')


class BrokerCheck(_Cached):
    """``flocx_broker``: the message broker of ``transport_url`` answers.

    RabbitMQ is asked with an AMQP connection and login (kombu, which
    oslo.messaging's rabbit driver uses); any of the URL's hosts will do, as
    for oslo.messaging. Other drivers' hosts are asked for a TCP connection.
    The in-process transport (``fake://``) is always there.
    """

    def check(self):
        url = self.oslo_conf.transport_url
        if not url:
            return pluginbase.HealthcheckResult(
                available=False, reason='no [DEFAULT] transport_url is set')
        parsed = messaging.TransportURL.parse(self.oslo_conf, url)
        if parsed.transport == 'fake':
            return pluginbase.HealthcheckResult(
                available=True, reason='in-process transport')
        errors = []
        for host in parsed.hosts:
            target = f'{host.hostname}:{host.port or 5672}'
            try:
                if parsed.transport == 'rabbit':
                    self._amqp(host, parsed.virtual_host)
                else:
                    socket.create_connection(
                        (host.hostname, host.port),
                        timeout=TIMEOUT_SECONDS).close()
            except Exception as e:
                errors.append(f'{target}: {e}')
                continue
            return pluginbase.HealthcheckResult(
                available=True, reason=f'broker OK ({target})')
        return pluginbase.HealthcheckResult(
            available=False,
            reason='broker unreachable: ' + '; '.join(errors))

    def _ssl(self):
        # [oslo_messaging_rabbit] is registered once the transport exists.
        try:
            return bool(self.oslo_conf.oslo_messaging_rabbit.ssl)
        except (cfg.NoSuchOptError, cfg.NoSuchGroupError, AttributeError):
            return False

    def _amqp(self, host, virtual_host):
        connection = kombu.Connection(
            hostname=host.hostname, port=host.port or 5672,
            userid=host.username, password=host.password,
            virtual_host=virtual_host or '/', transport='pyamqp',
            connect_timeout=TIMEOUT_SECONDS,
            ssl=self._ssl())
        try:
            connection.ensure_connection(max_retries=1, timeout=TIMEOUT_SECONDS)
        finally:
            connection.release()
