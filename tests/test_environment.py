"""The environment is pinned: every package the project pulls in has one version in constraints.txt, and it
is the version installed (the one the committed records were made with)."""

import re
from importlib.metadata import PackageNotFoundError, distribution

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import REPO


def _pins():
    pins = {}
    for line in (REPO / "constraints.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = re.split(r"==", line)
            pins[canonicalize_name(name)] = version
    return pins


def _closure(root: str, extras=("test",)):
    """Every installed distribution the project needs (its requirements, recursively, with its test extra)."""
    seen, pending = {}, [(root, set(extras))]
    while pending:
        name, wanted = pending.pop()
        key = canonicalize_name(name)
        if key in seen:
            continue
        try:
            dist = distribution(name)
        except PackageNotFoundError:
            continue  # an optional dependency of a dependency, not installed: not part of the environment
        seen[key] = dist.version
        for text in dist.requires or []:
            requirement = Requirement(text)
            marker = requirement.marker
            if marker is None or any(marker.evaluate({"extra": extra}) for extra in (wanted or {""})):
                pending.append((requirement.name, set(requirement.extras)))
    return seen


def test_every_package_of_the_environment_is_pinned_at_its_installed_version():
    pins = _pins()
    installed = _closure("icu-synthetic-privacy-bench")
    installed.pop(canonicalize_name("icu-synthetic-privacy-bench"))
    assert len(installed) > 40
    unpinned = sorted(set(installed) - set(pins))
    assert not unpinned, f"not pinned in constraints.txt: {unpinned}"
    wrong = {name: (pins[name], version) for name, version in installed.items()
             if version.split("+")[0] != pins[name].split("+")[0]}
    assert not wrong, f"pinned vs installed: {wrong}"
