"""Tiers and options are configuration, declared, with the defaults of the issue."""
from __future__ import annotations

import pytest

from tests.onboarding.conftest import onboarding_config


@onboarding_config
class TestTiers:
    def test_free_tier_defaults(self):
        from ckanext.grandest.onboarding import config as cfg

        free = cfg.tier("free")
        assert (free.max_storage_bytes, free.max_datasets, free.max_file_bytes) == (1 << 30, 50, 50 << 20)
        assert cfg.small_commune_population() == 3500 and cfg.small_commune_tier() == "free"
        assert cfg.confirmation_days() == 7 and cfg.warning_percent() == 80
        assert cfg.tier("platine") is None and cfg.tier(None) is None

    @pytest.mark.ckan_config("ckanext.grandest.onboarding.tiers", "free standard premium")
    @pytest.mark.ckan_config("ckanext.grandest.onboarding.tier.premium.max_storage_mb", "51200")
    @pytest.mark.ckan_config("ckanext.grandest.onboarding.tier.premium.label", "Premium")
    @pytest.mark.ckan_config("ckanext.grandest.onboarding.tier.free.max_datasets", "20")
    def test_tiers_are_configurable(self):
        from ckanext.grandest.onboarding import config as cfg

        premium = cfg.tier("premium")
        assert premium.label == "Premium" and premium.max_storage_bytes == 50 << 30
        assert premium.max_datasets is None  # not set: no limit
        assert cfg.tier("free").max_datasets == 20

    def test_every_option_is_declared(self):
        from ckan.common import config_declaration

        for key in ("ckanext.grandest.onboarding.confirmation_days", "ckanext.grandest.onboarding.tiers",
                    "ckanext.grandest.onboarding.tier.free.max_storage_mb", "ckanext.grandest.regional_admins",
                    "ckanext.grandest.onboarding.ratelimit.ip_per_hour"):
            assert key in config_declaration, key

    @pytest.mark.ckan_config("ckanext.grandest.onboarding.default_tier", "standard")
    def test_default_tier_applies_to_organizations_without_one(self):
        from ckan.tests import factories

        from tests.onboarding.conftest import quota_of

        org = factories.Organization()
        assert quota_of(org["id"])["tier"] == "standard"

    def test_the_suggested_tier_follows_the_population_totale(self):
        from ckanext.grandest.common import referential as ref
        from ckanext.grandest.onboarding.logic.action import _suggested_tier

        # 54254 and friends: under 3,500 by population totale? the law's count decides
        for code in ("54254", "55181", "67154", "67256", "68249", "88408"):
            commune = ref.commune(code)
            expected = "free" if commune.population_totale < 3500 else "standard"
            assert _suggested_tier(commune.population_totale) == expected
        assert _suggested_tier(3499) == "free" and _suggested_tier(3500) == "standard"
