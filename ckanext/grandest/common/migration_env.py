"""The Alembic environment of every plugin of the suite that has tables (``migration/<plugin>/env.py``).

CKAN runs each plugin's migrations with its own folder as Alembic's script location; the version table is
``<plugin>_alembic_version``, the plugin being the folder's name. Each ``env.py`` calls :func:`run`.
"""
from __future__ import annotations

import os
from logging.config import fileConfig


def run(env_file: str) -> None:
    """Run the migrations of the plugin whose ``env.py`` is ``env_file`` (offline: SQL script; online)."""
    from alembic import context
    from sqlalchemy import engine_from_config, pool

    config = context.config
    if config.config_file_name is not None:  # (CKAN's `ckan db upgrade` always gives its ini file)
        fileConfig(config.config_file_name)
    version_table = "{}_alembic_version".format(os.path.basename(os.path.dirname(os.path.abspath(env_file))))

    if context.is_offline_mode():
        context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=None, literal_binds=True,
                          version_table=version_table)
        with context.begin_transaction():
            context.run_migrations()
        return

    connectable = engine_from_config(config.get_section(config.config_ini_section) or {}, prefix="sqlalchemy.",
                                     poolclass=pool.NullPool)
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=None, version_table=version_table)
        with context.begin_transaction():
            context.run_migrations()
