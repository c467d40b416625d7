"""Settings per run profile, shared by synthesizers, attacks and metrics.

A class holds one frozen config dataclass per profile in ``profiles``:
``quick`` (the default grid), ``paper`` (the published settings) and
``smoke`` (the tests' and conformance checks' settings: the contract, not the
quality). The runner asks ``config_for(profile)`` and records the answer in
the cell's spec, so a record says every setting that produced it.
"""

from __future__ import annotations

from typing import Any, ClassVar


class Profiled:
    profiles: ClassVar[dict[str, Any]] = {}

    @classmethod
    def config_for(cls, profile: str) -> Any:
        """The settings this class uses under a run profile (``None`` if it has none); a profile
        it does not define falls back to ``quick``."""
        if not cls.profiles:
            return None
        return cls.profiles.get(profile, cls.profiles.get("quick"))
