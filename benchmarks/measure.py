"""Wall time and peak resident memory of individual steps, per process.

Memory is the operating system's view (resident set size), not tracemalloc:
tracemalloc misses memory that numpy, scipy and BLAS allocate outside Python's
allocator and slows the code it measures. On Linux the peak (``VmHWM``) can be
reset by writing ``5`` to ``/proc/self/clear_refs``, so each step gets its own
peak; elsewhere the figure falls back to ``ru_maxrss`` since process start and
says so. Every size runs in a fresh process, so one size's peak cannot leak
into the next.
"""

from __future__ import annotations

import resource
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

MB = 1024 * 1024
_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


def _status_bytes(key: str) -> int | None:
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def rss_bytes() -> int:
    """Current resident set size (0 where the platform does not tell)."""
    return _status_bytes("VmRSS") or 0


def reset_peak() -> bool:
    """Start a new peak-RSS window; False where the platform cannot."""
    try:
        _CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return True


def peak_bytes() -> int:
    """Peak RSS of this window, or of the whole process where windows are unsupported."""
    hwm = _status_bytes("VmHWM")
    if hwm is not None:
        return hwm
    scale = 1 if sys.platform == "darwin" else 1024  # macOS reports bytes, Linux KiB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


@dataclass
class Meter:
    """Records ``{step: {"seconds", "cpu_seconds", "peak_mb", "start_mb"}}`` per step.

    CPU time (all threads of the process) is kept beside wall time because it
    is far less disturbed by other work on a shared machine.
    """

    label: str = ""
    steps: dict[str, dict[str, float]] = field(default_factory=dict)
    windowed: bool = True

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        progress(f"{self.label} {name} ...")
        start_rss = rss_bytes()
        self.windowed = reset_peak() and self.windowed
        t0, c0 = time.perf_counter(), time.process_time()
        yield
        seconds = time.perf_counter() - t0
        self.steps[name] = {"seconds": seconds, "cpu_seconds": time.process_time() - c0,
                            "peak_mb": peak_bytes() / MB, "start_mb": start_rss / MB}
        progress(f"{self.label} {name}: {seconds:.2f} s")

    def total(self, names: list[str]) -> dict[str, float]:
        """Sum of times and max of peaks over ``names``: a whole round."""
        parts = [self.steps[n] for n in names]
        return {"seconds": sum(p["seconds"] for p in parts),
                "cpu_seconds": sum(p.get("cpu_seconds", 0.0) for p in parts),
                "peak_mb": max(p["peak_mb"] for p in parts),
                "start_mb": parts[0]["start_mb"]}


def progress(message: str) -> None:
    """Progress goes to stderr so stdout stays clean for tables and JSON."""
    print(message, file=sys.stderr, flush=True)
