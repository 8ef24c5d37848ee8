"""Every module of the apps has its place in the layers contract (pyproject.toml), so the
contract says where a new module may import from; a module left out is held to no layer."""

from __future__ import annotations

import tomllib

from django.conf import settings

APPS = ("indicators", "actionplan", "localdata", "alerts")
# Django's own wiring: app configs and migrations, which import across layers by design.
NOT_LAYERED = {"apps", "migrations"}


def _layered() -> set[str]:
    config = tomllib.loads((settings.BASE_DIR / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    (layers,) = [c["layers"] for c in contracts if c["type"] == "layers"]
    return {name.strip() for layer in layers for name in layer.split(":")}


def _modules() -> set[str]:
    found = set()
    for app in APPS:
        for path in (settings.BASE_DIR / app).iterdir():
            is_package = path.is_dir() and (path / "__init__.py").exists()
            if path.name.startswith("_") or path.stem in NOT_LAYERED:
                continue
            if path.suffix == ".py" or is_package:
                found.add(f"{app}.{path.stem}")
    return found


def test_every_module_sits_in_a_layer():
    assert sorted(_modules() - _layered()) == []


def test_the_layers_name_only_modules_that_exist():
    assert sorted(_layered() - _modules()) == []
