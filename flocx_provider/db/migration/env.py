from alembic import context

from flocx_provider.db import models

target_metadata = models.Base.metadata


def run_migrations_online():
    connectable = context.config.attributes.get('connection')
    if connectable is not None:
        _run(connectable)
        return
    import sqlalchemy as sa
    engine = sa.create_engine(context.config.get_main_option('sqlalchemy.url'))
    with engine.connect() as connection:
        _run(connection)


def _run(connection):
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == 'sqlite')
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
