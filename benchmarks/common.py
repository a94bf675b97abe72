"""What every benchmark part shares: paths, the loopback crawl flags, child processes measured by
the kernel, percentiles, and the notes on the machine the figures come from."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import re
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from tests.fakesite import LOOPBACK_CRAWL_FLAGS

ROOT = Path(__file__).resolve().parents[1]

FAST = LOOPBACK_CRAWL_FLAGS


@dataclass(frozen=True)
class Child:
    """A finished child process, with the kernel's account of it (wait4), not a sampler's."""

    returncode: int
    stdout: str
    stderr: str
    wall_s: float
    cpu_s: float  # user + system
    peak_rss_mb: float


# Runs one command and writes the kernel's account of it (wait4) to a file. The measured command
# is a child of this small launcher, never of the benchmark process: Linux carries a process's
# peak RSS across exec, so a command started straight from a benchmark that holds 200 MB of
# extractors would report at least 200 MB whatever it used itself.
_LAUNCHER = """
import json, os, subprocess, sys, threading, time
report, timeout, cmd = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
started = time.perf_counter()
proc = subprocess.Popen(cmd)
killer = threading.Timer(timeout, proc.kill)
killer.start()
_, status, usage = os.wait4(proc.pid, 0)
killer.cancel()
wall = time.perf_counter() - started
with open(report, "w") as out:
    json.dump({"code": os.waitstatus_to_exitcode(status), "wall": wall,
               "cpu": usage.ru_utime + usage.ru_stime, "maxrss_kib": usage.ru_maxrss}, out)
"""


def run_child(cmd: Sequence[str], *, cwd: Path = ROOT, timeout: float = 3600) -> Child:
    """Run `cmd` to its end. Its wall time, CPU time and peak RSS are its own: measured by a
    launcher process around it (wait4), so neither this process nor other children count."""
    with (
        tempfile.TemporaryFile("w+") as out,
        tempfile.TemporaryFile("w+") as err,
        tempfile.TemporaryDirectory() as tmp,
    ):
        report = Path(tmp) / "usage.json"
        launcher = [sys.executable, "-c", _LAUNCHER, str(report), str(timeout), *cmd]
        subprocess.run(launcher, cwd=cwd, stdout=out, stderr=err, timeout=timeout + 60)
        usage = json.loads(report.read_text())
        out.seek(0)
        err.seek(0)
        return Child(
            returncode=int(usage["code"]),
            stdout=out.read(),
            stderr=err.read(),
            wall_s=float(usage["wall"]),
            cpu_s=float(usage["cpu"]),
            peak_rss_mb=usage["maxrss_kib"] / 1024,  # KiB on Linux
        )


def newsarchive(*args: str, timeout: float = 3600) -> Child:
    """The real CLI in a child process, as an operator runs it."""
    return run_child([sys.executable, "-m", "newsarchive", *args], timeout=timeout)


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation between closest ranks."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def rnd(value: float, digits: int = 2) -> float:
    return round(value, digits)


def target(name: str, value: float, want: str, met: bool) -> dict[str, Any]:
    """One target of the issue: the figure, what it should be, and whether it is."""
    return {"name": name, "value": value, "target": want, "met": bool(met)}


@contextlib.contextmanager
def replica_nodelay(enabled: bool) -> Iterator[None]:
    """Serve the replica with TCP_NODELAY (Nagle off) while the block runs.

    The replica's handler writes headers and body in two sends; with Nagle's algorithm on,
    the tail of a body can wait for the client's delayed ACK, which caps a loopback crawl by
    latency rather than by CPU. Set on the handler class at run time, for the servers started
    inside the block; tests/fakesite itself is left as it is.
    """
    from tests.fakesite import server

    handler: Any = server._Handler
    before = handler.disable_nagle_algorithm
    handler.disable_nagle_algorithm = enabled
    try:
        yield
    finally:
        handler.disable_nagle_algorithm = before


def cli_commands() -> list[str]:
    """The subcommands `python -m newsarchive --help` lists right now."""
    done = subprocess.run(
        [sys.executable, "-m", "newsarchive", "--help"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    # argparse lists subcommands as indented "name   summary" lines under the positionals.
    listed = done.stdout.split("positional arguments:", 1)[-1].split("options:", 1)[0]
    return re.findall(r"^ {4}([a-z][a-z_-]*)(?: |$)", listed, flags=re.MULTILINE)


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine_notes() -> dict[str, Any]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory_gib = 0.0
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gib = int(line.split()[1]) / 2**20
    packages = ("scrapy", "lxml", "parsel", "trafilatura", "newspaper4k", "sqlite-utils",
                "warcio", "dateparser")  # fmt: skip
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": rnd(memory_gib, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "tmp_dir": tempfile.gettempdir(),
        **{name: _version(name) for name in packages},
    }
