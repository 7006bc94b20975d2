"""Scheming YAML schemas and national Table Schemas, shipped as ``ckanext.grandest.schemas``.

Referenced from the CKAN config as ``ckanext.grandest.schemas:dataset.yaml``.
"""
