"""Alembic environment, run by Flask-Migrate inside the app (`flask --app <package> db ...`)."""

import logging
from typing import Any

from alembic import context
from flask import current_app

config = context.config
logger = logging.getLogger("alembic.env")
alembic_logger = logging.getLogger("alembic")
if not logging.getLogger().handlers and not any(
    isinstance(handler, logging.StreamHandler) for handler in alembic_logger.handlers
):
    # Show which revisions run (`flask db upgrade`, `uv run dev`) without touching other loggers.
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)-5.5s [%(name)s] %(message)s"))
    alembic_logger.addHandler(handler)
    alembic_logger.setLevel(logging.INFO)

migrate_config = current_app.extensions["migrate"]
db = migrate_config.db
target_metadata = db.metadata


def run_migrations_offline() -> None:
    """Emit SQL to stdout (`flask db upgrade --sql`) instead of running it."""
    context.configure(
        url=db.engine.url.render_as_string(hide_password=False),
        target_metadata=target_metadata,
        literal_binds=True,
        **migrate_config.configure_args,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    def skip_empty_autogenerate(_context: Any, _revision: Any, directives: list[Any]) -> None:
        # `flask db migrate` with no model change writes no empty revision.
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    configure_args = dict(migrate_config.configure_args)
    configure_args.setdefault("process_revision_directives", skip_empty_autogenerate)
    with db.engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, **configure_args)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
