"""The wheel carries what the plugins need at run time, and nothing of the tests or dev tooling."""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUNTIME_SUFFIXES = {".yaml", ".yml", ".json", ".gz", ".po", ".mo", ".pot", ".html", ".txt", ".js", ".css",
                    ".ttl", ".md", ".py", ".ini", ".mako", ".csv", ".tsv"}


def _tracked(prefix: str) -> list[str]:
    out = subprocess.run(["git", "ls-files", "--", prefix], cwd=ROOT, capture_output=True, text=True, check=True)
    return [line for line in out.stdout.splitlines() if Path(line).suffix in RUNTIME_SUFFIXES]


@pytest.fixture(scope="module")
def wheel_files(tmp_path_factory) -> set[str]:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
        check=True, capture_output=True, text=True,
    )
    (whl,) = out.glob("ckanext_grandest-*.whl")
    with zipfile.ZipFile(whl) as zf:
        return set(zf.namelist())


def test_top_level_schemas_and_i18n_ship_inside_the_package(wheel_files):
    for path in _tracked("schemas") + _tracked("i18n"):
        assert f"ckanext/grandest/{path}" in wheel_files, f"{path} is missing from the wheel"


def test_package_data_ships(wheel_files):
    for path in _tracked("ckanext"):
        assert path in wheel_files, f"{path} is missing from the wheel"


def test_no_tests_or_dev_tooling_in_the_wheel(wheel_files):
    assert not [f for f in wheel_files if f.startswith(("tests/", "dev/", "bench/", ".ci/"))]


def test_plugins_are_registered_as_entry_points(wheel_files):
    import importlib.metadata as md

    names = {ep.name for ep in md.entry_points(group="ckan.plugins")}
    for ep in md.entry_points(group="ckan.plugins"):
        if ep.value.startswith("ckanext.grandest."):
            ep.load()  # every declared plugin exists and imports
    assert {"grandest_metadata", "grandest_dcat"} <= names
