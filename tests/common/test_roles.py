"""ckanext.grandest.common.roles: who is a regional administrator (shared by the onboarding and validation
plugins)."""
from __future__ import annotations

import pytest


@pytest.mark.usefixtures("clean_db")
@pytest.mark.ckan_config("ckanext.grandest.regional_admins", "marie jean")
class TestIsRegionalAdmin:
    def test_sysadmins_and_named_users_only(self):
        from ckan import model
        from ckan.tests import factories

        from ckanext.grandest.common.roles import is_regional_admin

        marie = factories.User(name="marie")
        factories.User(name="jean")
        paul = factories.User(name="paul")
        root = factories.Sysadmin()
        assert is_regional_admin("marie") and is_regional_admin("jean")
        assert is_regional_admin(marie["id"]) and is_regional_admin(marie)  # by id and as a dict
        assert is_regional_admin(model.User.get("marie"))
        assert is_regional_admin(root["name"])
        assert not is_regional_admin(paul["name"])
        for nobody in (None, "", "inconnu", 42):
            assert not is_regional_admin(nobody)

    def test_deleted_or_pending_accounts_are_not(self):
        from ckan import model
        from ckan.tests import factories

        from ckanext.grandest.common.roles import is_regional_admin

        factories.User(name="marie", state="pending")
        factories.User(name="jean")
        model.User.get("jean").state = "deleted"
        model.Session.commit()
        assert not is_regional_admin("marie") and not is_regional_admin("jean")

    def test_config_may_be_a_list_or_a_string(self, ckan_config, monkeypatch):
        from ckanext.grandest.common.roles import regional_admin_names

        assert regional_admin_names() == {"marie", "jean"}
        monkeypatch.setitem(ckan_config, "ckanext.grandest.regional_admins", ["anne", " "])
        assert regional_admin_names() == {"anne"}
        monkeypatch.setitem(ckan_config, "ckanext.grandest.regional_admins", "")
        assert regional_admin_names() == set()


def test_the_option_is_declared_once_whichever_plugins_declare_it():
    from ckan.config.declaration import Declaration, Key

    from ckanext.grandest.common.roles import REGIONAL_ADMINS_KEY, declare_config

    decl = Declaration()
    declare_config(decl, Key())
    declare_config(decl, Key())  # a second plugin: no "already declared" error
    assert REGIONAL_ADMINS_KEY in decl
    assert decl[Key.from_string(REGIONAL_ADMINS_KEY)].default == []
