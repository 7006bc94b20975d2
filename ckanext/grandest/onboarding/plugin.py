"""grandest_onboarding: communes ask to join, the town hall confirms, a regional admin approves; approved
communes get an organization and a hosting tier whose quotas are enforced on every path."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.grandest.common import roles
from ckanext.grandest.common.inputs import guarded_actions
from ckanext.grandest.common import nav
from ckanext.grandest.common.i18n import GrandestTranslation

if TYPE_CHECKING:
    from ckan.common import CKANConfig
    from ckan.config.declaration import Declaration, Key


def _actions() -> dict[str, Any]:
    """Our actions (guarded against malformed input) and the core actions we chain."""
    actions: dict[str, Any] = {}
    for module in ("action", "approve", "quota_actions", "core_overrides"):
        actions.update(guarded_actions(f"ckanext.grandest.onboarding.logic.{module}")())
    return actions


@tk.blanket.actions(_actions)
@tk.blanket.auth_functions
@tk.blanket.validators
@tk.blanket.helpers
@tk.blanket.blueprints
@tk.blanket.cli
class OnboardingPlugin(GrandestTranslation, p.SingletonPlugin):
    i18n_area = "onboarding"

    p.implements(p.ITranslation, inherit=True)
    p.implements(p.IConfigurer)
    p.implements(p.IConfigurable)
    p.implements(p.IConfigDeclaration)
    p.implements(p.IUploader, inherit=True)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IResourceController, inherit=True)
    p.implements(p.ISignal)
    p.implements(p.IMiddleware, inherit=True)

    # IConfigurer

    def update_config(self, config_: CKANConfig) -> None:
        # first the shared templates (header menu, form errors, focus ring) and scheming's behind them, then ours
        # in front: templates/scheming/form_snippets/organization.html extends scheming's
        nav.add_shared_templates(config_)
        tk.add_template_directory(config_, "templates")
        tk.add_resource("assets", "grandest_onboarding")
        from ckanext.grandest.common.mail import normalize_mail_from

        normalize_mail_from(config_)
        # after choosing a password (invitation or reset), land on one's commune (views.after_password)
        if config_.get("ckan.user_reset_landing_page") in (None, "", "home.index"):
            config_["ckan.user_reset_landing_page"] = "grandest_onboarding.after_password"

    # IConfigurable

    def configure(self, config_: CKANConfig) -> None:
        from ckanext.grandest.common.secrets import refuse_sample_secrets

        from . import deletions, ledger

        refuse_sample_secrets(config_)
        ledger.listen()
        deletions.listen()

    # IConfigDeclaration: our options, plus the shared regional-admins option (declared once whichever
    # grandest plugins are loaded)

    def declare_config_options(self, declaration: Declaration, key: Key) -> None:
        source = Path(__file__).with_name("config_declaration.yaml")
        declaration.load_dict(yaml.safe_load(source.read_text(encoding="utf-8")))
        roles.declare_config(declaration, key)

    # ISignal: whoever just chose a password from their email link (CKAN's invitation or reset) is logged in;
    # deletions reach the quota ledger (deletions.py)

    def get_signal_subscriptions(self) -> dict[Any, Any]:
        from . import deletions, views

        return {tk.signals.perform_password_reset: [views.log_in_after_password], **deletions.subscriptions()}

    # IResourceController: an empty resource (no file, no link, no name) is refused; a file sent without a name is
    # named after the file; a file already streamed to the storage gives the new resource the id it was stored under

    def before_resource_create(self, context: Any, resource: dict[str, Any]) -> None:
        from .resources import name_after_the_file, refuse_empty_resource
        from .streaming import assign_id

        refuse_empty_resource(resource)
        name_after_the_file(resource)
        assign_id(resource)

    # IMiddleware: on CKAN 2.12, a file sent to resource_create goes to the S3 storage while the request body
    # still arrives (streaming.py)

    def make_middleware(self, app: Any, config_: Any) -> Any:
        from ckanext.grandest.common import compat

        if compat.storage_resource_uploader() is None:  # CKAN 2.11: no configured storages
            return app
        from .streaming import install

        return install(app)

    # IUploader: resource files go through the quota-enforcing uploader (over CKAN 2.12's configured resource
    # storage when there is one, else over ckan.storage_path)

    def get_resource_uploader(self, data_dict: dict[str, Any]) -> Any:
        from .storage import resource_uploader

        return resource_uploader(data_dict)

    def get_uploader(self, upload_to: str, old_filename: str | None) -> Any:
        return None

    # IPackageController: a dataset created or changed is brought in line in the ledger (same transaction; over
    # the limits: refused). Deletions arrive through deletions.py.

    def create(self, entity: Any) -> None:
        from . import ledger

        ledger.commit(entity.id)

    def edit(self, entity: Any) -> None:
        from . import ledger

        ledger.commit(entity.id)
