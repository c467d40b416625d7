"""Plugin registry over entry points: one path for built-ins and third parties.

Groups: ``bench.synthesizers``, ``bench.attacks``, ``bench.metrics``,
``bench.cohorts``. A package adds a method by declaring, in its
``pyproject.toml``::

    [project.entry-points."bench.synthesizers"]
    my-method = "my_package.my_module:MySynthesizer"

Listing names reads installed metadata only; a target is imported the first
time it is used (so ``bench list`` and ``bench --help`` stay fast). A target
that fails to import, or that is not what its group holds (a ``Synthesizer``,
``Attack`` or ``Metric`` subclass, or a callable cohort loader), is reported
and skipped; a name registered twice, or an unknown name, is a
``BenchInputError`` (the latter suggests close matches).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points

from bench.errors import BenchInputError

GROUPS = {
    "synthesizers": "bench.synthesizers",
    "attacks": "bench.attacks",
    "metrics": "bench.metrics",
    "cohorts": "bench.cohorts",
}


@dataclass(frozen=True)
class PluginFailure:
    """A registered entry whose target could not be imported."""

    kind: str
    name: str
    target: str
    distribution: str
    error: str


class Registry:
    """Entries of one group (``synthesizers``, ``attacks``, ``metrics`` or ``cohorts``)."""

    def __init__(self, kind: str) -> None:
        if kind not in GROUPS:
            raise ValueError(f"unknown registry kind {kind!r}")
        self.kind = kind
        self._entries: dict[str, EntryPoint] | None = None
        self._loaded: dict[str, object] = {}

    @property
    def entries(self) -> dict[str, EntryPoint]:
        if self._entries is None:
            found: dict[str, EntryPoint] = {}
            for ep in entry_points(group=GROUPS[self.kind]):
                previous = found.get(ep.name)
                if previous is not None and previous.value != ep.value:
                    raise BenchInputError(
                        f"{self.kind[:-1]} {ep.name!r} is registered twice: by "
                        f"{_dist(previous)} ({previous.value}) and by {_dist(ep)} ({ep.value})"
                    )
                found[ep.name] = ep
            self._entries = dict(sorted(found.items()))
        return self._entries

    def names(self) -> list[str]:
        return list(self.entries)

    def load(self, name: str):
        """Import and return the target registered as ``name``."""
        if name in self._loaded:
            return self._loaded[name]
        if name not in self.entries:
            close = difflib.get_close_matches(name, self.names(), n=3, cutoff=0.5)
            hint = f"; did you mean {', '.join(close)}?" if close else f"; known: {', '.join(self.names()) or 'none'}"
            raise BenchInputError(f"unknown {self.kind[:-1]} {name!r}{hint}")
        ep = self.entries[name]
        try:
            target = ep.load()
        except Exception as exc:  # a broken plugin must not take the harness down
            raise PluginLoadError(PluginFailure(self.kind, name, ep.value, _dist(ep), f"{type(exc).__name__}: {exc}")) from exc
        problem = _wrong_type(self.kind, target)
        if problem:
            raise PluginLoadError(PluginFailure(self.kind, name, ep.value, _dist(ep), problem))
        self._loaded[name] = target
        return target

    def load_all(self) -> tuple[dict[str, object], list[PluginFailure]]:
        """Every entry that imports, and a failure report for each that does not."""
        loaded, failures = {}, []
        for name in self.names():
            try:
                loaded[name] = self.load(name)
            except PluginLoadError as exc:
                failures.append(exc.failure)
        return loaded, failures

    def distribution(self, name: str) -> str:
        return _dist(self.entries[name])


class PluginLoadError(BenchInputError):
    def __init__(self, failure: PluginFailure) -> None:
        super().__init__(
            f"{failure.kind[:-1]} {failure.name!r} from {failure.distribution} failed to load: {failure.error}"
        )
        self.failure = failure


def _wrong_type(kind: str, target) -> str | None:
    """Why ``target`` cannot serve in group ``kind`` (None when it can)."""
    if kind == "cohorts":
        return None if callable(target) else f"{target!r} is not callable (a cohort loader takes CohortOptions)"
    from bench.api.attack import Attack
    from bench.api.metric import Metric
    from bench.api.synthesizer import Synthesizer

    base = {"synthesizers": Synthesizer, "attacks": Attack, "metrics": Metric}[kind]
    if isinstance(target, type) and issubclass(target, base):
        return None
    return f"{target!r} is not a subclass of {base.__module__}.{base.__name__}"


def _dist(ep: EntryPoint) -> str:
    return ep.dist.name if ep.dist is not None else "unknown distribution"


def registry(kind: str) -> Registry:
    """A fresh registry of one kind (cheap: nothing is imported until used)."""
    return Registry(kind)
