# -*- coding: utf-8 -*-
"""Alembic environment of this plugin: the suite's shared one (ckanext/grandest/common/migration_env.py)."""
from ckanext.grandest.common.migration_env import run

run(__file__)
