"""The plugins' options: every option the code reads is declared, and a portal that sets none of them gets the
declared defaults (the declarations are the one source of defaults; ckanext/grandest/common/options.py)."""
from __future__ import annotations

import inspect
import re
from importlib import import_module
from pathlib import Path
from typing import Any

import pytest
import yaml

PACKAGE = Path(__file__).resolve().parents[1] / "ckanext" / "grandest"
PLUGINS = ("metadata", "harvest", "dcat", "validation", "onboarding")
#: read by the code, declared by nobody: ckanext-dcat reads it with its own constant as default
UNDECLARED_ELSEWHERE = {"ckanext.dcat.datasets_per_page"}


def _declared_options() -> dict[str, dict[str, Any]]:
    """Our declared options (not the dynamic ones), from the plugins' config_declaration.yaml."""
    out = {}
    for plugin in PLUGINS:
        data = yaml.safe_load((PACKAGE / plugin / "config_declaration.yaml").read_text(encoding="utf-8"))
        for group in data["groups"]:
            for option in group["options"]:
                if option.get("type") != "dynamic":
                    out[option["key"]] = option
    return out


def _dynamic_patterns() -> list[re.Pattern[str]]:
    """The dynamic options (``...tier.<NAME>.<LIMIT>``) as patterns."""
    out = []
    for plugin in PLUGINS:
        data = yaml.safe_load((PACKAGE / plugin / "config_declaration.yaml").read_text(encoding="utf-8"))
        for group in data["groups"]:
            for option in group["options"]:
                if option.get("type") == "dynamic":
                    out.append(re.compile(re.sub(r"<[A-Z]+>", r"[^.]+", re.escape(option["key"]).replace(r"\<", "<")
                                                 .replace(r"\>", ">")) + "$"))
    return out


def _keys_in_source() -> set[str]:
    """The ``ckanext.grandest.*`` option names written in the code: full names, and the ``PREFIX + "name"`` /
    ``_int("name")`` reads of the config modules."""
    keys = set()
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for name in re.findall(r'"(ckanext\.grandest\.[a-z_]+\.[a-z_.]+)"', text):
            if not re.search(r"\.(logic|schemas|i18n)\b", name):  # module paths, not options
                keys.add(name)
        prefix = re.search(r'^PREFIX = "(ckanext\.grandest\.[a-z_]+\.)"$', text, re.M)
        if prefix:
            for name in re.findall(r'(?:PREFIX \+ |\b_(?:int|str|bool)\()"([a-z_.]+)"', text):
                keys.add(prefix.group(1) + name)
    return keys


def test_every_option_in_the_code_is_declared_in_a_yaml():
    declared = set(_declared_options()) | {"ckanext.grandest.regional_admins"}  # common/roles.py declares it
    found = _keys_in_source()
    assert len(found) > 40
    assert found - declared == set()


def test_only_the_config_modules_read_our_options():
    """A plugin's options are read in its config.py (typed getters), nowhere else."""
    for path in PACKAGE.rglob("*.py"):
        if path.name == "config.py" or path.name == "roles.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert not re.search(r'config(?:\.get\(|\[)\s*(?:f?"ckanext\.grandest\.|PREFIX)', text), path


@pytest.fixture
def recorded_reads(monkeypatch):
    """The option names the code reads from CKAN's config."""
    from ckan.common import CKANConfig

    reads: set[str] = set()
    get, getitem = CKANConfig.get, CKANConfig.__getitem__

    def recording_get(self, key, *args):
        reads.add(key)
        return get(self, key, *args)

    def recording_getitem(self, key):
        reads.add(key)
        return getitem(self, key)

    monkeypatch.setattr(CKANConfig, "get", recording_get)
    monkeypatch.setattr(CKANConfig, "__getitem__", recording_getitem)
    return reads


@pytest.mark.ckan_config("ckanext.grandest.onboarding.tiers", "free standard premium")
@pytest.mark.usefixtures("with_plugins", "with_request_context")
def test_every_option_the_getters_read_is_declared(recorded_reads):
    from ckan.common import config_declaration

    from ckanext.grandest.common import roles

    for plugin in PLUGINS:
        module = import_module(f"ckanext.grandest.{plugin}.config")
        for name, func in vars(module).items():
            if (inspect.isfunction(func) and func.__module__ == module.__name__ and not name.startswith("_")
                    and not [p for p in inspect.signature(func).parameters.values() if p.default is p.empty]):
                func()
    onboarding = import_module("ckanext.grandest.onboarding.config")
    for tier in ("free", "standard", "premium"):
        onboarding.tier(tier)
    roles.regional_admin_names()
    ours = {key for key in recorded_reads if key.startswith("ckanext.grandest.")}
    assert len(ours) > 40
    undeclared = {key for key in recorded_reads if key not in config_declaration} - UNDECLARED_ELSEWHERE
    # dynamic options (a tier of the portal's own) are declared by their pattern
    dynamic = {key for key in undeclared if any(p.match(key) for p in _dynamic_patterns())}
    assert dynamic == {f"ckanext.grandest.onboarding.tier.premium.{n}"
                       for n in ("label", "max_storage_mb", "max_datasets", "max_file_mb")}
    assert undeclared - dynamic == set()


def _as_declared(option: dict[str, Any]) -> Any:
    import ckan.plugins.toolkit as tk

    default = option.get("default")
    kind = option.get("type", "base")
    if kind == "int":
        return int(default)
    if kind == "bool":
        return tk.asbool(default)
    if kind == "list":
        return tk.aslist(default)
    return default


@pytest.fixture
def nothing_set(ckan_config, monkeypatch):
    """A portal that sets none of our options (test.ini sets some), nor the scheming and licence ones."""
    for key in [*_declared_options(), "licenses_group_url"]:
        monkeypatch.delitem(ckan_config, key, raising=False)


@pytest.mark.usefixtures("nothing_set", "with_plugins")
def test_a_portal_that_sets_nothing_gets_the_declared_defaults(ckan_config):
    options = _declared_options()
    for key, option in options.items():
        assert ckan_config[key] == _as_declared(option), key

    from ckanext.grandest.dcat import config as dcat
    from ckanext.grandest.harvest import config as harvest
    from ckanext.grandest.metadata import config as metadata
    from ckanext.grandest.onboarding import config as onboarding
    from ckanext.grandest.validation import config as validation

    assert metadata.autocomplete_limit() == 10
    assert ckan_config["licenses_group_url"] == metadata.shipped_licences_file().as_uri()
    assert harvest.user_agent() == "DataGrandEst-moissonneur/1.0 (+ckanext-grandest)"
    assert harvest.profiles() == ["grandest_dcat_ap"] and harvest.max_page_bytes() == 50 << 20
    assert dcat.publisher_name() == "Région Grand Est" and dcat.metadata_language() == "fr"
    assert dcat.quality() is True and dcat.spatial_outline() is False and dcat.export_page_size() == 500
    assert validation.queue() == "grandest:validation" and validation.job_timeout() == 900
    assert validation.limits().max_download_bytes == 200 << 20 and validation.limits().fast_path is True
    assert validation.schemas_base_url() == "https://schema.data.gouv.fr"
    assert onboarding.tiers() == ["free", "standard"] and onboarding.default_tier() == ""
    standard = onboarding.tier("standard")
    assert standard and (standard.max_storage_bytes, standard.max_datasets) == (10240 << 20, 500)


@pytest.mark.parametrize("key", ["ckanext.grandest.harvest.profiles", "ckanext.grandest.validation.queue",
                                 "ckanext.grandest.onboarding.tiers"])
def test_an_empty_required_option_stops_the_portal(key, ckan_config, monkeypatch):
    """Options without which the plugin cannot work are declared ``not_empty``: CKAN refuses to start."""
    from ckan.exceptions import CkanConfigurationException
    from ckan.plugins.core import load_all, unload_all

    monkeypatch.setitem(ckan_config, key, "")
    try:
        with pytest.raises(CkanConfigurationException, match=re.escape(key)):
            load_all()
    finally:
        unload_all()
