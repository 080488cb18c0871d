"""How fast the production server answers, against a trivial view of the same server.

    make bench      # or: .venv/bin/python bench/bench_http.py [--cache redis|local|none]

The real data and a large synthetic data set (bench/large_data.py), each in a
database of its own (DATABASE_URL's name + `_bench_real` / `_bench_large`, created
here and dropped at the end): collects the static files, starts gunicorn as in
production (gunicorn.conf.py, DEBUG off) for each, side by side, and drives them in
turn with wrk, a separate load-generating process. For each endpoint it prints
requests per second, p50 and p99 latency, and the ratio of its throughput to the
trivial view's (`/bench/trivial`, the whole middleware stack and nothing else),
measured just before it on the same server; then the dashboard's page weight (HTML,
CSS and JS as served, gzip-compressed). See bench/README.md; the latest numbers are
in docs/performance.md.
"""

from __future__ import annotations

import argparse
import gzip
import os
import platform
import re
import resource
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import psycopg2
import redis

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
TRIVIAL = ("trivial view", "/bench/trivial", {})
ENDPOINTS = [
    ("dashboard", "/", {}),
    (
        "table fragment",
        "/?q=republic&status=signed&sort=instrument",
        {"HX-Request": "true", "HX-Target": "participants"},
    ),
    ("counters fragment", "/", {"HX-Request": "true", "HX-Target": "counters"}),
    ("status API", "/api/v1/treaties/hanoi-convention/status", {}),
    ("actions.csv", "/api/v1/treaties/hanoi-convention/actions.csv", {}),
    ("participant page", "/participants/VNM/", {}),
]
# The targets (issue 10): every public endpoint at 0.9 of the trivial view or more, by
# requests a second and by CPU a request; the large data at most 10% slower than the
# real; the dashboard under 60 KB compressed, with its CSS and JS.
TARGET_SHARE = 0.9
LARGE_SLOWER_AT_MOST = 1.1
PAGE_WEIGHT_AT_MOST = 60_000
# Nothing kept (CACHE_URL=dummy://): what rendering costs, CPU ms a request, server and
# PostgreSQL together: the dashboard on the real data, the participant page (50
# treaties) on the large.
COLD = [("dashboard", "/", {}), ("participant page", "/participants/VNM/", {})]
COLD_AT_MOST = {("real", "dashboard"): 10.0, ("large", "participant page"): 100.0}


@dataclass
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    # CPU time a request, of the server (gunicorn) and of PostgreSQL, and of wrk.
    server_cpu_ms: float = 0.0
    load_cpu_ms: float = 0.0
    # Its throughput, and the trivial view's CPU a request over its own, against the
    # trivial view measured just before it (medians of the rounds).
    share: float = 1.0
    cpu_share: float = 1.0
    # Each round's own, in order (the medians' inputs).
    rounds: list[Result] = field(default_factory=list)


_TICK = os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int, children: bool = False) -> float:
    """Seconds of CPU a process used (with its reaped children's); 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    # utime, stime (and cutime, cstime) are the 14th to 17th fields of the whole line.
    ticks = int(fields[11]) + int(fields[12])
    if children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / _TICK


class Meter:
    """CPU of the gunicorn master, its workers (also those replaced), and the database's
    backends serving the benchmark's database: what the server spends, whatever else
    the machine runs at the same time."""

    def __init__(self, master: int, database: str, base: dict):
        self.master, self.database, self.base = master, database, base

    def __call__(self) -> float:
        workers = Path(f"/proc/{self.master}/task/{self.master}/children").read_text().split()
        total = process_cpu(self.master, children=True)
        total += sum(process_cpu(int(pid)) for pid in workers)
        with connect(self.base, self.database) as connection, connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [self.database],
            )
            total += sum(process_cpu(pid) for (pid,) in cursor.fetchall())
        connection.close()
        return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=3, help="Seconds an endpoint a round (3).")
    # The machine's neighbours swing one measurement by a third now and then: the median
    # of five rounds stands two such swings.
    parser.add_argument("--rounds", type=int, default=5, help="Rounds (5).")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (8).")
    # One worker on one core, PostgreSQL, Redis and wrk on the other. With two,
    # wrk's few keep-alive connections stay with the worker that accepted them,
    # often all with one, and throughput swings twofold from run to run.
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers (1).")
    # As production runs it (gunicorn.conf.py): with 8, eight cold renders interleave on
    # one core and each costs half as much CPU again (docs/performance.md).
    parser.add_argument("--threads", type=int, default=4, help="Threads a worker (4).")
    parser.add_argument(
        "--cache",
        choices=["local", "redis", "none"],
        default="local",
        help="CACHE_URL: per-process as by default (default), Redis at BENCH_REDIS_URL, or none.",
    )
    parser.add_argument("--only", choices=["real", "large"], help="One data set only.")
    options = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("The load generator is Debian's wrk: apt-get install -y wrk")

    base = dj_database_url.parse(
        os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/treatytrack")
    )
    if base["ENGINE"] != "django.db.backends.postgresql":
        sys.exit("The benchmark runs on PostgreSQL: set DATABASE_URL to a PostgreSQL server.")
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
    print_machine(base, redis_url, options)

    data_sets = [data for data in ("real", "large") if options.only in (None, data)]
    with tempfile.TemporaryDirectory() as temporary, ExitStack() as databases:
        static = Path(temporary) / "static"
        run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], STATIC_ROOT=str(static))
        urls = {data: databases.enter_context(database(base, data)) for data in data_sets}
        for data, url in urls.items():
            load(url, data)
        # The two data sets' servers side by side, each endpoint measured on one and then
        # the other within seconds: the machine's other load, which comes and goes over
        # minutes, weighs on both alike.
        with ExitStack() as servers:
            started = {
                data: servers.enter_context(
                    server(url, static, redis_url, options, Path(temporary))
                )
                for data, url in urls.items()
            }
            stolen = Stolen()
            results = measure(started, options, ENDPOINTS)
            print(f"  {stolen}")
            weights = {data: page_weight(address) for data, (address, _m) in started.items()}
        uncached = argparse.Namespace(**{**vars(options), "cache": "none"})
        with ExitStack() as servers:
            started = {
                data: servers.enter_context(
                    server(url, static, redis_url, uncached, Path(temporary))
                )
                for data, url in urls.items()
            }
            print("  nothing kept:")
            stolen = Stolen()
            cold = measure(started, options, COLD)
            print(f"  {stolen}")
    report(results, weights, cold)


class Stolen:
    """The share of the cores' time the virtual machine's host gave to others (`steal` in
    /proc/stat) since this was made: every process here, ours too, costs more CPU then."""

    def __init__(self):
        self.start = self.read()

    @staticmethod
    def read() -> tuple[int, int]:
        fields = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return fields[7], sum(fields)

    def __str__(self) -> str:
        (steal, total), (steal_0, total_0) = self.read(), self.start
        share = (steal - steal_0) / max(1, total - total_0)
        return f"CPU time taken by the host for others (steal) meanwhile: {share:.0%}"


def print_machine(base: dict, redis_url: str, options) -> None:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        int(line.split()[1]) / 1024 / 1024
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    # The server's own database: the configured one need not exist yet.
    with connect(base, "postgres") as connection, connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    redis_version = "not used"
    if options.cache == "redis":
        client = redis.Redis.from_url(redis_url)
        redis_version = client.info("server")["redis_version"]
        client.close()
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    wrk_version = (wrk.stdout or wrk.stderr).split()[1]
    print(f"Machine: {cpu}, {os.cpu_count()} cores, {memory:.0f} GB RAM")
    print(
        f"Software: Python {platform.python_version()}, PostgreSQL {postgres}, "
        f"Redis {redis_version}, wrk {wrk_version}"
    )
    print(f"Load average at start: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")
    cache = {"redis": f"Redis ({redis_url})", "local": "per-process", "none": "none"}
    print(
        f"Server: gunicorn, {options.workers} workers x {options.threads} threads (gthread), "
        f"DEBUG off, cache {cache[options.cache]}"
    )
    print(
        f"Load: wrk, 1 thread, {options.connections} keep-alive connections, Accept-Encoding: "
        f"gzip; {options.rounds} rounds of every endpoint in turn, each 1 s of warm-up then "
        f"{options.duration} s"
    )
    print()


def connect(base: dict, name: str):
    return psycopg2.connect(
        dbname=name,
        user=base["USER"],
        password=base["PASSWORD"],
        host=base["HOST"] or "127.0.0.1",
        port=base["PORT"] or 5432,
    )


@contextmanager
def database(base: dict, data: str):
    """A database of the benchmark's own, dropped at the end."""
    name = f"{base['NAME']}_bench_{data}"
    admin = connect(base, "postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    password = f":{base['PASSWORD']}" if base["PASSWORD"] else ""
    url = (
        f"postgres://{base['USER']}{password}@{base['HOST'] or '127.0.0.1'}:"
        f"{base['PORT'] or 5432}/{name}"
    )
    try:
        yield url
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def run(command: list[str], **env) -> str:
    result = subprocess.run(
        command, cwd=ROOT, env=environment(env), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def environment(extra: dict) -> dict:
    return {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        # Nothing is mailed during a benchmark; production refuses to start without a server.
        "EMAIL_URL": "console://",
        **extra,
    }


def load(url: str, data: str) -> None:
    start = time.perf_counter()
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], DATABASE_URL=url)
    run([PYTHON, "manage.py", "load_defaults"], DATABASE_URL=url)
    summary = "the shipped data: 198 participants, 1 treaty, 73 verified actions"
    if data == "large":
        summary = run([PYTHON, "bench/large_data.py"], DATABASE_URL=url).strip()
    # As autovacuum would have by then: statistics, and index-only scans.
    connection = connect(dj_database_url.parse(url), dj_database_url.parse(url)["NAME"])
    connection.autocommit = True
    connection.cursor().execute("VACUUM ANALYZE")
    connection.close()
    print(f"{data} data ({time.perf_counter() - start:.0f} s to load): {summary}")


@contextmanager
def server(url: str, static: Path, redis_url: str, options, directory: Path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    prefix = f"bench-{uuid.uuid4().hex}"
    cache = {"redis": redis_url, "local": "", "none": "dummy://"}[options.cache]
    env = environment(
        {
            "DATABASE_URL": url,
            "CACHE_URL": cache,
            "CACHE_KEY_PREFIX": prefix,
            "STATIC_ROOT": str(static),
            "BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": str(options.workers),
            "WEB_THREADS": str(options.threads),
            "BENCH_TRIVIAL_VIEW": "true",
            # Connections kept for the whole run, so that the meter sees their CPU.
            "DATABASE_CONN_MAX_AGE": "3600",
        }
    )
    log = directory / f"gunicorn-{port}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    address = f"127.0.0.1:{port}"
    meter = Meter(process.pid, dj_database_url.parse(url)["NAME"], dj_database_url.parse(url))
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://{address}/healthz", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    sys.exit(f"gunicorn did not start:\n{log.read_text()}")
                time.sleep(0.2)
        yield address, meter
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if options.cache == "redis":
            client = redis.Redis.from_url(redis_url)
            keys = list(client.scan_iter(match=f"{prefix}:*"))
            if keys:
                client.delete(*keys)
            client.close()


def measure(servers: dict, options, endpoints) -> dict[str, dict[str, Result]]:
    """Every endpoint on each data set's server (`{data: (address, meter)}`), each right
    after the trivial view of the same server, for several rounds.

    The machine may be busy with other work that comes and goes (a virtual machine's
    neighbours): each endpoint is compared with the trivial view measured just before it,
    and its share of the trivial view's throughput and CPU is the median of its rounds'.
    """
    names = [name for name, _p, _h in [TRIVIAL, *endpoints]]
    rounds = {data: {name: [] for name in names} for data in servers}
    shares = {data: {name: [] for name in names[1:]} for data in servers}
    for number in range(1, options.rounds + 1):
        # Each data set first in every other round, so that the order favours neither.
        order = list(servers.items())[:: 1 if number % 2 else -1]
        for endpoint in endpoints:
            for data, (address, meter) in order:
                trivial = run_one(address, TRIVIAL, options, meter)
                found = run_one(address, endpoint, options, meter)
                rounds[data][TRIVIAL[0]].append(trivial)
                rounds[data][endpoint[0]].append(found)
                shares[data][endpoint[0]].append(
                    (found.rps / trivial.rps, trivial.server_cpu_ms / found.server_cpu_ms)
                )
        for data, by_name in rounds.items():
            print(
                f"  round {number}, {data} data: "
                + ", ".join(f"{name} {found[-1].rps:,.0f}/s" for name, found in by_name.items())
            )
    return {
        data: {
            name: Result(
                rps=statistics.median(r.rps for r in found),
                p50_ms=statistics.median(r.p50_ms for r in found),
                p99_ms=statistics.median(r.p99_ms for r in found),
                errors=sum(r.errors for r in found),
                server_cpu_ms=statistics.median(r.server_cpu_ms for r in found),
                load_cpu_ms=statistics.median(r.load_cpu_ms for r in found),
                share=statistics.median(s[0] for s in shares[data].get(name, [(1.0, 1.0)])),
                cpu_share=statistics.median(s[1] for s in shares[data].get(name, [(1.0, 1.0)])),
                rounds=found,
            )
            for name, found in by_name.items()
        }
        for data, by_name in rounds.items()
    }


def run_one(address: str, endpoint, options, meter: Meter) -> Result:
    _name, path, headers = endpoint
    wrk(address, path, headers, 1, options.connections)
    server_before, load_before = meter(), _children_cpu()
    result = wrk(address, path, headers, options.duration, options.connections)
    requests = max(1, result.rps * options.duration)
    result.server_cpu_ms = (meter() - server_before) / requests * 1000
    result.load_cpu_ms = (_children_cpu() - load_before) / requests * 1000
    return result


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def wrk(address: str, path: str, headers: dict, duration: int, connections: int) -> Result:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency"]
    for name, value in {"Accept-Encoding": "gzip", **headers}.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(
        [*command, f"http://{address}{path}"], capture_output=True, text=True, check=True
    ).stdout
    errors = 0
    if found := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        errors += int(found.group(1))
    if found := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    ):
        errors += sum(int(n) for n in found.groups())
    return Result(
        float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        _milliseconds(re.search(r"\s50%\s+([\d.]+\w+)", output).group(1)),
        _milliseconds(re.search(r"\s99%\s+([\d.]+\w+)", output).group(1)),
        errors,
    )


def _milliseconds(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000}[unit]


def page_weight(address: str) -> dict[str, int]:
    """The dashboard's HTML and the CSS and JS it loads, as served to a browser (gzip)."""

    def fetch(path: str) -> tuple[bytes, int]:
        request = urllib.request.Request(
            f"http://{address}{path}", headers={"Accept-Encoding": "gzip"}
        )
        with urllib.request.urlopen(request) as response:
            body = response.read()
            if response.headers.get("Content-Encoding") == "gzip":
                return gzip.decompress(body), len(body)
            return body, len(body)

    html, weight = fetch("/")
    assets = re.findall(rb'<link rel="stylesheet" href="([^"]+)"', html)
    assets += re.findall(rb'<script[^>]* src="([^"]+)"', html)
    weights = {"html": weight, "css": 0, "js": 0}
    for asset in assets:
        path = urlsplit(asset.decode()).path
        weights["css" if path.endswith(".css") else "js"] += fetch(path)[1]
    return weights


def report(results, weights, cold) -> None:
    """A table a data set; "x trivial" is the share of the trivial view's throughput,
    measured (req/s) and as the machine would give it to the server alone (CPU)."""
    missed = []
    for data, by_name in results.items():
        print(f"\n{data} data (medians of the rounds)\n")
        missed += table(data, by_name, ENDPOINTS, target=True)
    if len(results) == 2:
        # Round by round, the one endpoint on the two servers, measured seconds apart (the
        # machine's other load comes and goes over minutes): the median of the rounds'.
        print("\nlarge data against real data (real / large req/s, large / real CPU)\n")
        print("| endpoint | req/s | CPU a request |")
        print("|---|---:|---:|")
        for name, _path, _headers in ENDPOINTS:
            real_rounds, large_rounds = results["real"][name].rounds, results["large"][name].rounds
            pairs = list(zip(real_rounds, large_rounds, strict=True))
            slower = statistics.median(real.rps / large.rps for real, large in pairs)
            costlier = statistics.median(
                large.server_cpu_ms / real.server_cpu_ms for real, large in pairs
            )
            print(f"| {name} | {slower:.2f} | {costlier:.2f} |")
            if max(slower, costlier) > LARGE_SLOWER_AT_MOST:
                missed.append(
                    f"{name}: {slower:.2f} x slower (req/s), {costlier:.2f} x the CPU "
                    f"on the large data, target {LARGE_SLOWER_AT_MOST}"
                )
    for data, by_name in cold.items():
        print(f"\n{data} data, nothing kept (CACHE_URL=dummy://): what rendering costs\n")
        table(data, by_name, COLD, target=False)
        for name, _path, _headers in COLD:
            at_most = COLD_AT_MOST.get((data, name))
            if at_most and by_name[name].server_cpu_ms > at_most:
                missed.append(
                    f"{name} on the {data} data, nothing kept: "
                    f"{by_name[name].server_cpu_ms:.1f} ms of CPU, target {at_most:.0f} ms"
                )
    print()
    for data, weight in weights.items():
        total = sum(weight.values())
        print(
            f"Dashboard page weight, {data} data (gzip, as served): {total / 1000:.1f} KB "
            f"(HTML {weight['html'] / 1000:.1f} KB, CSS {weight['css'] / 1000:.1f} KB, "
            f"JS {weight['js'] / 1000:.1f} KB)"
        )
        if total > PAGE_WEIGHT_AT_MOST:
            missed.append(
                f"page weight on the {data} data: {total / 1000:.1f} KB, "
                f"target {PAGE_WEIGHT_AT_MOST / 1000:.0f} KB"
            )
    print()
    print("Targets missed:" if missed else "Every target met.")
    for line in missed:
        print(f"  - {line}")


def table(data: str, by_name: dict[str, Result], endpoints, *, target: bool) -> list[str]:
    missed = []
    print(
        "| endpoint | req/s | p50 ms | p99 ms | x trivial (req/s) "
        "| CPU ms a request | x trivial (CPU) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, _path, _headers in [TRIVIAL, *endpoints]:
        result = by_name[name]
        measured, cpu = result.share, result.cpu_share
        print(
            f"| {name} | {result.rps:,.0f} | {result.p50_ms:.2f} | {result.p99_ms:.1f} "
            f"| {measured:.2f} | {result.server_cpu_ms:.3f} | {cpu:.2f} |"
        )
        if target and name != TRIVIAL[0] and min(measured, cpu) < TARGET_SHARE:
            missed.append(
                f"{name} on the {data} data: {measured:.2f} (req/s), {cpu:.2f} (CPU) "
                f"x trivial, target {TARGET_SHARE}"
            )
        if result.errors:
            missed.append(f"{name} on the {data} data: {result.errors} failed requests")
    return missed


if __name__ == "__main__":
    main()
