"""AWS DynamoDB Local (the Java engine) for the test suite.

DynamoDB Local is not on Maven Central or PyPI, but the npm package
``amplify-dynamodb-simulator@2.9.30`` ships it (DynamoDB Local 1.25.1) as
``emulator/DynamoDBLocal.jar`` plus ``emulator/DynamoDBLocal_lib/``.  We fetch that
package's tarball with ``npm pack`` (one package, ~56 MB, a few seconds) rather than
``npm install`` (which also pulls ~280 JavaScript dependencies, ~350 MB, that we
never run) and unpack only ``emulator/`` into a cache directory::

    <cache root>/dynamodb-local-2.9.30/
        .lock                 file lock serialising installs across processes
        installed             marker written after a complete install
        emulator/DynamoDBLocal.jar, emulator/DynamoDBLocal_lib/...

The cache root is ``$DDBSQL_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/ddbsql``,
else ``~/.cache/ddbsql``.  CI should cache ``$DDBSQL_CACHE_DIR`` between runs.

Usage::

    db = DynamoDBLocal().start()     # installs on first use, waits for ListTables
    ... boto3.client("dynamodb", endpoint_url=db.url, ...) ...
    db.stop()

Note that DynamoDB Local 1.x has no bind-address option: it listens on all
interfaces; clients use ``http://127.0.0.1:<port>``.
"""
from __future__ import annotations

import atexit
import contextlib
import datetime
import http.client
import json
import os
import shutil
import socket
import subprocess
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

__all__ = [
    "DynamoDBLocal",
    "DynamoDBLocalError",
    "DynamoDBLocalUnavailable",
    "NPM_PACKAGE",
    "NPM_VERSION",
    "default_cache_dir",
    "ensure_installed",
    "missing_tools",
]

NPM_PACKAGE = "amplify-dynamodb-simulator"
NPM_VERSION = "2.9.30"          # ships DynamoDB Local 1.25.1
_EMULATOR_PREFIX = "package/emulator/"
_MARKER = "installed"
_INSTALL_TIMEOUT = 900          # seconds, for npm pack on a slow registry
_START_TIMEOUT = 60.0
_STOP_GRACE = 5.0
_PORT_ATTEMPTS = 3


class DynamoDBLocalError(RuntimeError):
    """DynamoDB Local could not be installed or started."""


class DynamoDBLocalUnavailable(DynamoDBLocalError):
    """A tool DynamoDB Local needs (``java``, or ``npm`` to install it) is not on PATH."""


# -- installation --------------------------------------------------------------------

def default_cache_dir() -> Path:
    """Where the DynamoDB Local install lives unless ``cache_dir`` is given."""
    root = os.environ.get("DDBSQL_CACHE_DIR")
    if root:
        base = Path(root).expanduser()
    else:
        xdg = os.environ.get("XDG_CACHE_HOME")
        base = (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "ddbsql"
    return base / f"dynamodb-local-{NPM_VERSION}"


def missing_tools(cache_dir: str | os.PathLike | None = None) -> list[str]:
    """The tools DynamoDB Local needs that are not on PATH.

    ``npm`` only counts when DynamoDB Local is not installed in ``cache_dir`` yet.
    """
    missing = []
    if shutil.which("java") is None:
        missing.append("java")
    if shutil.which("npm") is None and not _is_installed(_resolve(cache_dir)):
        missing.append("npm")
    return missing


def _resolve(cache_dir: str | os.PathLike | None) -> Path:
    return Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir()


def _jar(cache_dir: Path) -> Path:
    return cache_dir / "emulator" / "DynamoDBLocal.jar"


def _is_installed(cache_dir: Path) -> bool:
    return ((cache_dir / _MARKER).is_file() and _jar(cache_dir).is_file()
            and (cache_dir / "emulator" / "DynamoDBLocal_lib").is_dir())


@contextlib.contextmanager
def _file_lock(path: Path):
    """An exclusive inter-process lock held while the block runs."""
    with open(path, "a+b") as fh:
        try:
            import fcntl
        except ImportError:  # Windows
            import msvcrt
            fh.seek(0)
            while True:
                try:
                    msvcrt.locking(fh.fileno(), msvcrt.LK_LOCK, 1)
                    break
                except OSError:  # LK_LOCK gives up after ~10 s; keep waiting
                    continue
            try:
                yield
            finally:
                fh.seek(0)
                msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)
        else:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def ensure_installed(cache_dir: str | os.PathLike | None = None) -> Path:
    """Install DynamoDB Local into ``cache_dir`` unless it is already there.

    Returns the path of ``DynamoDBLocal.jar`` (its directory is the one to run it
    from).  Safe to call from parallel processes: installs are serialised by a file
    lock and published with a rename, so a half-finished install is never used.
    """
    cache_dir = _resolve(cache_dir)
    if _is_installed(cache_dir):
        return _jar(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    with _file_lock(cache_dir / ".lock"):
        if _is_installed(cache_dir):  # another process finished while we waited
            return _jar(cache_dir)
        npm = shutil.which("npm")
        if npm is None:
            raise DynamoDBLocalUnavailable(
                f"npm is not on PATH; it is needed once to install DynamoDB Local "
                f"({NPM_PACKAGE}@{NPM_VERSION}) into {cache_dir}")
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=cache_dir))
        try:
            tarball = _npm_pack(npm, staging)
            _extract_emulator(tarball, staging / "emulator")
            if not (staging / "emulator" / "DynamoDBLocal.jar").is_file():
                raise DynamoDBLocalError(
                    f"{NPM_PACKAGE}@{NPM_VERSION} has no emulator/DynamoDBLocal.jar")
            final = cache_dir / "emulator"
            if final.exists():  # left over from an interrupted install
                shutil.rmtree(final)
            os.replace(staging / "emulator", final)
            (cache_dir / _MARKER).write_text(json.dumps({
                "package": f"{NPM_PACKAGE}@{NPM_VERSION}",
                "installed_at": datetime.datetime.now(datetime.timezone.utc).isoformat(),
            }) + "\n")
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return _jar(cache_dir)


def _npm_pack(npm: str, dest: Path) -> Path:
    env = dict(os.environ, npm_config_update_notifier="false", npm_config_fund="false",
               npm_config_audit="false")
    cmd = [npm, "pack", "--loglevel=error", "--pack-destination", str(dest),
           f"{NPM_PACKAGE}@{NPM_VERSION}"]
    try:
        proc = subprocess.run(cmd, cwd=dest, env=env, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=_INSTALL_TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        raise DynamoDBLocalError(f"`{' '.join(cmd[1:])}` timed out after "
                                 f"{_INSTALL_TIMEOUT} s") from exc
    tarballs = sorted(dest.glob("*.tgz"))
    if proc.returncode != 0 or not tarballs:
        output = (proc.stdout + proc.stderr).strip()[-3000:]
        raise DynamoDBLocalError(
            f"installing DynamoDB Local failed: `npm {' '.join(cmd[1:])}` exited with "
            f"{proc.returncode}:\n{output}")
    return tarballs[0]


def _extract_emulator(tarball: Path, dest: Path) -> None:
    """Unpack ``package/emulator/**`` (regular files and directories only) to ``dest``."""
    dest.mkdir(parents=True)
    root = dest.resolve()
    with tarfile.open(tarball, "r:gz") as tar:
        for member in tar:
            if not member.name.startswith(_EMULATOR_PREFIX):
                continue
            rel = member.name[len(_EMULATOR_PREFIX):]
            if not rel:
                continue
            target = (dest / rel).resolve()
            if root not in target.parents:
                raise DynamoDBLocalError(f"unsafe path in {tarball.name}: {member.name}")
            if member.isdir():
                target.mkdir(parents=True, exist_ok=True)
            elif member.isfile():
                target.parent.mkdir(parents=True, exist_ok=True)
                src = tar.extractfile(member)
                assert src is not None
                with src, open(target, "wb") as out:
                    shutil.copyfileobj(src, out)


# -- running -------------------------------------------------------------------------

def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _list_tables_ok(url: str, timeout: float = 2.0) -> bool:
    """True if a signed ListTables call to ``url`` answers 200."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    body = b"{}"
    request = AWSRequest(method="POST", url=url + "/", data=body, headers={
        "Content-Type": "application/x-amz-json-1.0",
        "X-Amz-Target": "DynamoDB_20120810.ListTables",
    })
    SigV4Auth(Credentials("AKIDTEST", "secret"), "dynamodb", "us-east-1").add_auth(request)
    prepared = urllib.request.Request(url + "/", data=body, method="POST",
                                      headers=dict(request.headers.items()))
    try:
        with urllib.request.urlopen(prepared, timeout=timeout) as response:
            return response.status == 200 and b"TableNames" in response.read()
    except (OSError, urllib.error.URLError, http.client.HTTPException):
        return False


def _tail(path: Path, limit: int = 4000) -> str:
    try:
        return path.read_text(errors="replace")[-limit:]
    except OSError:
        return ""


class DynamoDBLocal:
    """One DynamoDB Local process (``-inMemory -sharedDb``) on a free loopback port.

    ``url`` is set by :meth:`start`; the process's stdout/stderr go to ``log_path``.
    A given ``log_path`` is kept; without one a temporary file is used, kept if
    start-up fails (the error names it) and deleted by :meth:`stop`.
    """

    def __init__(self, cache_dir: str | os.PathLike | None = None, *, port: int = 0,
                 log_path: str | os.PathLike | None = None,
                 startup_timeout: float = _START_TIMEOUT):
        self.cache_dir = _resolve(cache_dir)
        self.requested_port = port
        self.startup_timeout = startup_timeout
        self.log_path: Path | None = Path(log_path) if log_path is not None else None
        self.port: int | None = None
        self.url: str | None = None
        self.process: subprocess.Popen | None = None
        self.startup_seconds: float | None = None
        self._own_log = False

    def start(self) -> "DynamoDBLocal":
        if self.process is not None:
            return self
        java = shutil.which("java")
        if java is None:
            raise DynamoDBLocalUnavailable("java is not on PATH; DynamoDB Local needs Java 11+")
        jar = ensure_installed(self.cache_dir)
        if self.log_path is None:
            fd, name = tempfile.mkstemp(prefix="ddbsql-dynamodb-local-", suffix=".log")
            os.close(fd)
            self.log_path, self._own_log = Path(name), True

        began = time.monotonic()
        attempts = 1 if self.requested_port else _PORT_ATTEMPTS
        for attempt in range(attempts):
            port = self.requested_port or _free_port("127.0.0.1")
            outcome = self._launch(java, jar, port)
            if outcome == "ready":
                self.port, self.url = port, f"http://127.0.0.1:{port}"
                self.startup_seconds = time.monotonic() - began
                atexit.register(self.stop)
                return self
            if outcome != "port-taken" or attempt == attempts - 1:
                break
        raise DynamoDBLocalError(
            f"DynamoDB Local did not start ({outcome}); log {self.log_path}:\n"
            f"{_tail(self.log_path)}")

    def _launch(self, java: str, jar: Path, port: int) -> str:
        """Start the JVM and wait for it; 'ready', 'port-taken', 'exited' or 'timeout'."""
        emulator = jar.parent
        cmd = [java, f"-Djava.library.path={emulator / 'DynamoDBLocal_lib'}", "-jar", str(jar),
               "-inMemory", "-sharedDb", "-disableTelemetry", "-port", str(port)]
        with open(self.log_path, "ab") as log:
            log.write(f"$ {' '.join(cmd)}\n".encode())
            log.flush()
            self.process = subprocess.Popen(cmd, cwd=emulator, stdin=subprocess.DEVNULL,
                                            stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.process = None
                text = _tail(self.log_path)
                if "BindException" in text or "Address already in use" in text:
                    return "port-taken"
                return "exited"
            if _list_tables_ok(url):
                return "ready"
            time.sleep(0.1)
        self._terminate()
        return "timeout"

    def _terminate(self) -> None:
        proc, self.process = self.process, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(_STOP_GRACE)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def stop(self) -> None:
        """Terminate the process; kill it if it has not exited after 5 s."""
        atexit.unregister(self.stop)
        self._terminate()
        was_running, self.port, self.url = self.url is not None, None, None
        if was_running and self._own_log and self.log_path is not None:
            with contextlib.suppress(OSError):
                self.log_path.unlink()
            self.log_path, self._own_log = None, False

    def __enter__(self) -> "DynamoDBLocal":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<DynamoDBLocal {self.url or 'stopped'}>"
