"""Packaging glue that pyproject.toml cannot express.

* ``schemas/`` and ``i18n/`` live at the top of the repository but ship inside the package as
  ``ckanext.grandest.schemas`` and ``ckanext.grandest.i18n`` (scheming loads ``module:path`` references and
  CKAN's translator looks inside a package).
* ``ckanext`` is a PEP 420 namespace package (no ``__init__.py``, as CKAN's own ``ckanext``): the packages are
  ``ckanext.grandest`` and below (type checkers, like Python, then see the other extensions' ``ckanext.*``).
* Babel message extractors for ``python setup.py extract_messages``.
"""
from setuptools import find_packages, setup

MAPPED = {"ckanext.grandest.schemas": "schemas", "ckanext.grandest.i18n": "i18n"}

setup(
    packages=["ckanext." + name for name in find_packages("ckanext", include=["grandest", "grandest.*"])]
             + list(MAPPED),
    package_dir=MAPPED,
    include_package_data=False,
    package_data={
        "": ["*.yaml", "*.yml", "*.json", "*.json.gz", "*.md", "*.html", "*.txt", "*.js", "*.css",
             "*.ttl", "*.ini", "*.mako", "*.csv"],
        "ckanext.grandest": [
            "*/templates/**/*", "*/assets/**/*", "*/public/**/*", "*/config_declaration.yaml",
            "migration/**/*", "common/referential/data/*",
        ],
        "ckanext.grandest.schemas": ["*.yaml", "*.json", "table-schemas/*.json", "table-schemas/*.md"],
        "ckanext.grandest.i18n": ["*.pot", "*/LC_MESSAGES/*.po", "*/LC_MESSAGES/*.mo"],
    },
    message_extractors={
        "ckanext": [
            ("**.py", "python", None),
            ("**.js", "javascript", None),
            ("**/templates/**.html", "ckan", None),
            ("**/templates/**.txt", "ckan", None),
        ],
    },
)
