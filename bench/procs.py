"""Separate processes for the benches and the multi-process test: uvicorn with N worker processes on one port
(readiness polled, never slept for; the whole process group stopped at the end), which worker process holds
the server side of a client's connection (from the kernel's socket table, /proc/net/tcp), a fresh
PostgreSQL database, and a private PostgreSQL primary with a streaming standby. Used by bench/scale.py, bench/deploy_run.py and tests/integration/test_multiprocess.py.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def plain(url: str) -> str:
    """A SQLAlchemy PostgreSQL URL as libpq takes it."""
    return url.replace("postgresql+psycopg://", "postgresql://")


def fresh_pg_database(server_url: str, prefix: str) -> tuple[str, str]:
    """Create an empty database named `<prefix>_<random>` on the server of `server_url`; (url, name)."""
    import psycopg
    name = f"{prefix}_{secrets.token_hex(4)}"
    with psycopg.connect(plain(server_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return server_url.rsplit("/", 1)[0] + "/" + name, name


def drop_pg_database(server_url: str, name: str) -> None:
    """Drop a database made by `fresh_pg_database` (its stray connections terminated)."""
    import psycopg
    with psycopg.connect(plain(server_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Api:
    """A running `uvicorn --workers N`: the parent process, its base URL and port."""

    proc: subprocess.Popen[bytes]
    base: str
    port: int

    def workers(self) -> list[int]:
        """The worker processes (the parent's children, without multiprocessing's resource tracker)."""
        found = []
        for pid in _children(self.proc.pid):
            try:
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
            except OSError:
                continue
            if b"resource_tracker" not in cmd:
                found.append(pid)
        return sorted(found)

    def cpu_seconds(self) -> float:
        """User + system CPU of the parent and its live children (from /proc)."""
        return cpu_seconds(self.proc.pid)


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children that are still alive (from /proc)."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0.0
    for p in [pid, *_children(pid)]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError):
            pass
    return total


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(p) for p in out]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return bool(resp.status == 200)
    except OSError:
        return False


def start_api(app: str, env: dict[str, str], workers: int, *, args: Sequence[str] = (),
              ready_timeout: float = 180.0, log: IO[Any] | None = None) -> Api:
    """`uvicorn APP --workers N` on a free loopback port in its own process group, with `env` over this
    process's environment; returns once /api/v1/health answers and the N worker processes exist (polled;
    with one worker uvicorn serves in the parent).
    The caller stops it (`stop(api.proc)`); `api_processes` does so itself."""
    port = free_port()
    full = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    sink = log if log is not None else subprocess.DEVNULL
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port),
                             "--workers", str(workers), "--log-level", "warning", "--no-access-log", *args],
                            cwd=ROOT, env=full, stdout=sink, stderr=subprocess.STDOUT if log else sink,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    api = Api(proc, f"http://127.0.0.1:{port}", port)
    try:
        deadline = time.monotonic() + ready_timeout
        while not (_answers(f"{api.base}/api/v1/health") and (workers == 1 or len(api.workers()) >= workers)):
            if proc.poll() is not None:
                raise RuntimeError(f"uvicorn {app} exited with {proc.returncode} before answering")
            if time.monotonic() > deadline:
                raise RuntimeError(f"uvicorn {app} did not answer within {ready_timeout:.0f} s")
            time.sleep(0.1)  # the polling interval, not a wait for readiness
    except BaseException:
        stop(proc)
        raise
    return api


@contextmanager
def api_processes(app: str, env: dict[str, str], workers: int, *, args: Sequence[str] = (),
                  ready_timeout: float = 180.0, log: IO[Any] | None = None) -> Iterator[Api]:
    """`start_api`, and the process group always stopped at the end."""
    api = start_api(app, env, workers, args=args, ready_timeout=ready_timeout, log=log)
    try:
        yield api
    finally:
        stop(api.proc)


def stop(proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    """Stop a process group started here: SIGTERM, then SIGKILL when it does not end in time."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        except ProcessLookupError:
            pass


def _tcp_inode(server_port: int, client_port: int) -> str | None:
    """The inode of the server side of the loopback connection client_port → server_port (ESTABLISHED)."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            f = line.split()
            local, remote, state, inode = f[1], f[2], f[3], f[9]
            if state == "01" and int(local.rsplit(":", 1)[1], 16) == server_port \
                    and int(remote.rsplit(":", 1)[1], 16) == client_port:
                return inode
    return None


def serving_process(server_port: int, client_port: int, pids: Sequence[int]) -> int | None:
    """Which of `pids` holds the accepted socket of the connection from `client_port` (None: none of them)."""
    inode = _tcp_inode(server_port, client_port)
    if inode is None:
        return None
    target = f"socket:[{inode}]"
    for pid in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") == target:
                    return pid
            except OSError:
                continue
    return None


class ReplicaUnavailable(RuntimeError):
    """A local streaming replica cannot be started here (and why)."""


def _pg_bin() -> Path | None:
    import glob
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _as_postgres(cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["su", "postgres", "-s", "/bin/sh", "-c", cmd], capture_output=True, text=True,
                          timeout=300)


@contextmanager
def streaming_pair(database: str = "decide") -> Iterator[tuple[str, str]]:
    """A private PostgreSQL primary (initdb in a temporary directory, a free port, fsync on, a `replication`
    line in its own pg_hba.conf) with an empty `database`, and a hot standby streaming from it
    (`pg_basebackup -R -X stream`), both run as the `postgres` OS user; yields (primary URL, standby URL)
    and stops both at the end. ReplicaUnavailable, with the reason, when that cannot be done here."""
    import shutil
    import tempfile
    pg = _pg_bin()
    if os.geteuid() != 0:
        raise ReplicaUnavailable("not root: cannot run PostgreSQL as the postgres OS user")
    if pg is None:
        raise ReplicaUnavailable("no PostgreSQL server binaries (/usr/lib/postgresql/*/bin)")
    tmp = Path(tempfile.mkdtemp(prefix="decide-repl-"))
    shutil.chown(tmp, "postgres")
    p1, p2 = free_port(), free_port()
    started: list[Path] = []
    opts = f"-k {tmp} -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on"
    steps = [(f"{pg}/initdb -D {tmp}/primary -U postgres -A trust >/dev/null", None),
             (f"echo 'host replication all 127.0.0.1/32 trust' >> {tmp}/primary/pg_hba.conf", None),
             (f"{pg}/pg_ctl -D {tmp}/primary -o '-p {p1} {opts}' -l {tmp}/primary.log -w start", tmp / "primary"),
             (f"{pg}/pg_basebackup -h 127.0.0.1 -p {p1} -U postgres -D {tmp}/replica -R -X stream", None),
             (f"{pg}/pg_ctl -D {tmp}/replica -o '-p {p2} {opts}' -l {tmp}/replica.log -w start", tmp / "replica")]
    try:
        try:
            for cmd, server in steps:
                r = _as_postgres(cmd)
                if r.returncode != 0:
                    raise ReplicaUnavailable(f"{Path(cmd.split()[0]).name}: {(r.stderr or r.stdout).strip()[-300:]}")
                if server is not None:
                    started.append(server)
            import psycopg
            with psycopg.connect(f"postgresql://postgres@127.0.0.1:{p1}/postgres", autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{database}"')
        except (subprocess.SubprocessError, OSError) as exc:
            raise ReplicaUnavailable(f"a local streaming replica could not be started: {exc}") from None
        yield (f"postgresql+psycopg://postgres@127.0.0.1:{p1}/{database}",
               f"postgresql+psycopg://postgres@127.0.0.1:{p2}/{database}")
    finally:
        for d in reversed(started):
            _as_postgres(f"{pg}/pg_ctl -D {d} -m fast stop")
        shutil.rmtree(tmp, ignore_errors=True)


class PrefectUnavailable(RuntimeError):
    """Prefect's server, work pool or deployments could not be brought up here (and why)."""


@dataclass
class PrefectPool:
    """A running Prefect server with a process work pool and a worker: the API URL, seconds to start."""

    api_url: str
    server_up_s: float


@contextmanager
def prefect_work_pool(url: str, data_dir: Path, deployments: Sequence[str], *, bound: float = 300.0,
                      pool: str = "decide") -> Iterator[PrefectPool]:
    """`prefect server start` on a free loopback port with its own database (a fresh one on the engine's
    PostgreSQL server), `prefect work-pool create POOL --type process`, `python -m flows.deployments deploy
    --work-pool POOL --only …` and one `prefect worker start --pool POOL`, each a separate process running on
    the engine's database `url` and `data_dir`; all stopped (and the server's database dropped) at the end.
    PrefectUnavailable when the server does not answer within `bound` seconds or a step fails."""
    from decision_engine.serve import prefect_healthy
    home = data_dir / "prefect"
    home.mkdir(parents=True, exist_ok=True)
    server_db, server_db_name = fresh_pg_database(url, "prefect")
    api_url = f"http://127.0.0.1:{free_port()}/api"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "DECIDE_DATABASE_URL": url, "DECIDE_DATA_DIR": str(data_dir), "DECIDE_SEQUENCER_INTERVAL_SECONDS": "3600",
           "DECIDE_DOCUMENTS_INTERVAL_SECONDS": "3600", "DECIDE_CLOCK_INTERVAL_SECONDS": "86400"}
    env.pop("PREFECT_API_URL", None)
    log = (home / "pieces.log").open("ab")
    started: list[subprocess.Popen[bytes]] = []

    def spawn(*cmd: str, extra: dict[str, str]) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen([sys.executable, "-m", *cmd], cwd=ROOT, env={**env, **extra}, stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        started.append(proc)
        return proc

    t0 = time.monotonic()
    try:
        port = api_url.rsplit(":", 1)[1].split("/")[0]
        server = spawn("prefect", "server", "start", "--host", "127.0.0.1", "--port", port, extra={
            "PREFECT_API_DATABASE_CONNECTION_URL": server_db.replace("+psycopg", "+asyncpg")})
        while not prefect_healthy(api_url):
            if server.poll() is not None or time.monotonic() - t0 > bound:
                raise PrefectUnavailable(f"Prefect's server did not answer within {bound:.0f} s "
                                         f"(see {home}/pieces.log)")
            time.sleep(0.5)  # the polling interval
        up = time.monotonic() - t0
        client = {**env, "PREFECT_API_URL": api_url}
        only = [arg for name in deployments for arg in ("--only", name)]
        for cmd in (["prefect", "work-pool", "create", pool, "--type", "process"],
                    ["flows.deployments", "deploy", "--work-pool", pool, *only]):
            r = subprocess.run([sys.executable, "-m", *cmd], cwd=ROOT, env=client, capture_output=True, text=True,
                               timeout=bound)
            if r.returncode != 0:
                raise PrefectUnavailable(f"{' '.join(cmd[:3])} failed: {(r.stderr or r.stdout).strip()[-500:]}")
        spawn("prefect", "worker", "start", "--pool", pool, extra={"PREFECT_API_URL": api_url})
        yield PrefectPool(api_url, up)
    finally:
        for proc in reversed(started):
            stop(proc)
        drop_pg_database(url, server_db_name)
        log.close()
