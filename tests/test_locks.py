"""The tests run on the versions that ship: the image installs requirements.lock, `make install`
(so CI) installs requirements-dev.lock, which must pin every shipped package at the same version."""

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENT = re.compile(r"^([A-Za-z0-9][^\s\\]*==[^\\\n]*?)\s*\\?$", re.MULTILINE)


def requirements(name):
    """Each pinned requirement of a lock file (with its environment marker, if any)."""
    return [Requirement(line) for line in REQUIREMENT.findall((ROOT / name).read_text())]


def pins(name, *, here=False):
    """Package → version; with here=True, only those this Python on this platform installs."""
    return {
        canonicalize_name(req.name): str(next(iter(req.specifier)).version)
        for req in requirements(name)
        if not here or req.marker is None or req.marker.evaluate()
    }


def test_the_development_lock_pins_every_shipped_package_at_the_shipped_version():
    shipped, development = pins("requirements.lock"), pins("requirements-dev.lock")
    assert shipped, "requirements.lock pins nothing"
    differ = {
        package: (version, development.get(package))
        for package, version in shipped.items()
        if development.get(package) != version
    }
    assert differ == {}, "requirements-dev.lock disagrees with requirements.lock: run make lock"


@pytest.mark.parametrize(
    ("lock", "extras"), [("requirements.lock", ()), ("requirements-dev.lock", ("dev", "bench"))]
)
def test_every_declared_dependency_is_locked(lock, extras):
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = list(project["dependencies"])
    for extra in extras:
        declared += project["optional-dependencies"][extra]
    locked = pins(lock)
    missing = [
        spec
        for spec in declared
        if canonicalize_name(Requirement(spec).name) not in locked
        or not Requirement(spec).specifier.contains(
            locked[canonicalize_name(Requirement(spec).name)], prereleases=True
        )
    ]
    assert missing == [], f"{lock} is out of date with pyproject.toml: run make lock"


def test_the_environment_running_the_tests_is_the_locked_one():
    installed = {
        canonicalize_name(dist.metadata["Name"]): dist.version for dist in metadata.distributions()
    }
    wrong = {
        package: (version, installed.get(package))
        for package, version in pins("requirements-dev.lock", here=True).items()
        if installed.get(package) != version
    }
    assert wrong == {}, "the environment is not requirements-dev.lock's: run make install"
