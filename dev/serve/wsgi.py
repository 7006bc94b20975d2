"""The WSGI application of a CKAN portal, for uWSGI (or any WSGI server): CKAN's documented entry point.

The configuration file is ``$CKAN_INI``. Its logging sections configure the logs; the CKAN_* environment
variables (database, Solr, Redis, site id, storage path) win over the file, as for the ``ckan`` command.

With threads (uWSGI ``threads`` > 1), CKAN's registries of actions and authorization functions must be built
before the first requests: CKAN builds them lazily on first use, and two threads doing it at once see a
half-built registry ("Authorization function not found: ..." 500s on a fresh worker, seen under 20 parallel
clients). Building them here, in each worker (lazy-apps), before it serves anything, closes that race.
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

from ckan import authz, logic  # noqa: E402  (after make_app: the plugins are loaded)

logic.get_action("status_show")  # builds the registry of actions
authz.auth_functions_list()  # builds the registry of authorization functions
