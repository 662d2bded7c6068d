"""Fault injection and the request log, for reliability tests and call counting."""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any

from workdocs_local.errors import WorkDocsError

# kind -> the error it answers with (latency and drop_after_commit answer no error)
ERROR_FAULTS = {
    "throttling": ("ThrottlingException", "Rate exceeded (injected by workdocs-local)."),
    "unavailable": (
        "ServiceUnavailableException",
        "Service unavailable (injected by workdocs-local).",
    ),
    "failed_dependency": (
        "FailedDependencyException",
        "Dependency failed (injected by workdocs-local).",
    ),
}
KINDS = (*ERROR_FAULTS, "latency", "drop_after_commit")


@dataclass
class Fault:
    """Inject ``kind`` into ``operation`` (or ``*``) with a probability, at most ``count`` times."""

    kind: str
    operation: str = "*"
    probability: float = 1.0
    count: int | None = None
    seed: int | None = None
    latency_ms: int = 0
    injected: int = 0
    _rng: random.Random = field(default_factory=random.Random, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"fault kind must be one of {', '.join(KINDS)}, not {self.kind!r}")
        if not 0.0 <= self.probability <= 1.0:
            raise ValueError("fault probability must be between 0 and 1")
        if self.count is not None and self.count < 0:
            raise ValueError("fault count must be 0 or more")
        if self.kind == "latency" and self.latency_ms <= 0:
            raise ValueError("a latency fault needs latency_ms > 0")
        self._rng = random.Random(self.seed)

    @classmethod
    def from_spec(cls, spec: str) -> Fault:
        """``kind=throttling,operation=CreateUser,probability=0.3,count=5,seed=1,latency_ms=0``."""
        fields: dict[str, Any] = {}
        for part in spec.split(","):
            key, sep, value = part.partition("=")
            if not sep:
                raise ValueError(f"fault spec parts are key=value, not {part!r}")
            fields[key.strip()] = value.strip()
        return cls.from_dict(fields)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fault:
        allowed = {"kind", "operation", "probability", "count", "seed", "latency_ms"}
        unknown = set(data) - allowed
        if unknown:
            raise ValueError(f"unknown fault fields: {', '.join(sorted(unknown))}")
        if "kind" not in data:
            raise ValueError("a fault needs a kind")
        return cls(
            kind=str(data["kind"]),
            operation=str(data.get("operation", "*")),
            probability=float(data.get("probability", 1.0)),
            count=None if data.get("count") is None else int(data["count"]),
            seed=None if data.get("seed") is None else int(data["seed"]),
            latency_ms=int(data.get("latency_ms", 0)),
        )

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if not k.startswith("_")}

    def fires(self, operation: str) -> bool:
        if self.operation not in ("*", operation):
            return False
        if self.count is not None and self.injected >= self.count:
            return False
        if self._rng.random() >= self.probability:
            return False
        self.injected += 1
        return True


@dataclass(frozen=True)
class Decision:
    """What the faults decided for one request."""

    latency_s: float = 0.0
    error: WorkDocsError | None = None
    drop_after_commit: bool = False


class FaultInjector:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def list(self) -> list[dict[str, Any]]:
        with self._lock:
            return [f.to_dict() for f in self._faults]

    def decide(self, operation: str) -> Decision:
        latency = 0.0
        error: WorkDocsError | None = None
        drop = False
        with self._lock:
            for fault in self._faults:
                if fault.kind == "latency":
                    if fault.fires(operation):
                        latency += fault.latency_ms / 1000
                elif error is None and not drop and fault.fires(operation):
                    if fault.kind == "drop_after_commit":
                        drop = True
                    else:
                        error = WorkDocsError(*ERROR_FAULTS[fault.kind])
        return Decision(latency, error, drop)


@dataclass(frozen=True)
class LoggedRequest:
    operation: str
    status: int
    time: float
    duration_ms: float
    error: str | None = None


class RequestLog:
    """The last ``maxlen`` WorkDocs requests (control API calls are not logged)."""

    def __init__(self, maxlen: int = 100_000) -> None:
        self._lock = threading.Lock()
        self._entries: deque[LoggedRequest] = deque(maxlen=maxlen)

    def record(self, operation: str, status: int, started: float, error: str | None) -> None:
        entry = LoggedRequest(operation, status, round(started, 3), round((time.time() - started) * 1000, 3), error)
        with self._lock:
            self._entries.append(entry)

    def entries(self, operation: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [asdict(e) for e in self._entries if operation in (None, e.operation)]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
