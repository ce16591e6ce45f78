"""The private servers of the tests (tests/servers.py) themselves.

They run on ports and data directories of their own, survive the restarts
the fault tests inflict, and report what a test leaves on them: the check
that runs at the end of every session must be able to fail.
"""

import tempfile
import uuid

import kombu
import pytest
import sqlalchemy as sa

from tests import servers

MACHINE_PORTS = {5432, 3306, 5672, 6379}


@pytest.mark.parametrize('kind', ['postgresql', 'mariadb'])
def test_database_left_behind_is_reported(kind):
    with servers.KINDS[kind]() as server:
        assert server.port not in MACHINE_PORTS
        assert str(server.dir).startswith(tempfile.gettempdir())
        name = f'left_{uuid.uuid4().hex[:8]}'
        engine = sa.create_engine(server.url, isolation_level='AUTOCOMMIT')
        with engine.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE {name}')
        engine.dispose()
        assert server.leftovers() == [f'database {name}']
        with pytest.raises(servers.LeftoverError, match=name):
            server.close(check=True)
        assert not server.running
        assert not server.dir.exists()


def test_restart_keeps_port_and_data():
    with servers.PostgreSQL() as server:
        port = server.port
        engine = sa.create_engine(server.url, isolation_level='AUTOCOMMIT')
        with engine.connect() as conn:
            conn.exec_driver_sql('CREATE TABLE kept (n int)')
            conn.exec_driver_sql('INSERT INTO kept VALUES (7)')
        engine.dispose()
        server.kill()
        assert not server.running and not servers.port_open(port)
        server.start()
        assert server.port == port
        engine = sa.create_engine(server.url)
        with engine.connect() as conn:
            assert conn.exec_driver_sql('SELECT n FROM kept').scalar() == 7
        engine.dispose()


def _amqp(url):
    return url.replace('rabbit://', 'amqp://', 1)


def test_rabbitmq_vhost_and_queue_left_behind_are_reported():
    with servers.RabbitMQ() as rabbit:
        assert {rabbit.port, rabbit.dist_port}.isdisjoint(
            MACHINE_PORTS | {25672})
        rabbit.add_vhost('left')
        with kombu.Connection(_amqp(rabbit.vhost_url('left'))) as conn:
            kombu.Queue('left-queue', channel=conn.channel()).declare()
        assert rabbit.leftovers() == ['queue left-queue in vhost left',
                                      'vhost left']
        rabbit.delete_vhost('left')
        assert rabbit.leftovers() == []
        # A queue in the default vhost is a leftover too.
        with kombu.Connection(_amqp(rabbit.url)) as conn:
            kombu.Queue('stray', channel=conn.channel()).declare()
        with pytest.raises(servers.LeftoverError, match='stray'):
            rabbit.close(check=True)


def test_missing_binary_fails_under_ci(monkeypatch):
    monkeypatch.setenv('FLOCX_REQUIRE_SERVICES', '1')
    monkeypatch.setattr(servers.Redis, 'binaries',
                        lambda self: ['flocx-no-such-redis-server'])
    server = servers.Redis()
    try:
        with pytest.raises(pytest.fail.Exception,
                           match='flocx-no-such-redis-server'):
            server.start()
    finally:
        server.close(check=False)
