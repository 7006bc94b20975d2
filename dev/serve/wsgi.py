"""The WSGI application of a CKAN portal, for uWSGI (or any WSGI server): CKAN's documented entry point.

The configuration file is ``$CKAN_INI``. Its logging sections configure the logs; the CKAN_* environment
variables (database, Solr, Redis, site id, storage path) win over the file, as for the ``ckan`` command.
"""
import os
from logging.config import fileConfig

from ckan.cli import CKANConfigLoader
from ckan.config.middleware import make_app

CONFIG = os.environ.get("CKAN_INI", "")
if not os.path.isfile(CONFIG):
    raise RuntimeError(f"CKAN configuration not found: CKAN_INI={CONFIG!r}")

fileConfig(CONFIG, disable_existing_loggers=False)
application = make_app(CKANConfigLoader(CONFIG).get_config())
