"""An embedded moto server: DynamoDB and S3 on one loopback port, in this process.

Used by ``ddbsql --local`` (and by the test suite) so that ddbsql can run against a
throw-away DynamoDB without an AWS account::

    with LocalEndpoint() as ep:
        boto3.client("dynamodb", endpoint_url=ep.url, ...)

moto is an optional dependency (extra ``[local]``) and is imported only in
:meth:`LocalEndpoint.start`.

The server never writes to stdout (stdout carries query results): moto's start-up
banner is turned off and Werkzeug's per-request log lines are dropped.  Werkzeug
warnings and errors still go to stderr.

Note: moto keeps its data in module-level state, so every ``LocalEndpoint`` in one
process serves the *same* tables and buckets; separate endpoints give separate
ports, not separate data.
"""
from __future__ import annotations

import logging
import socket
import threading

from ddbsql.errors import ConfigError

__all__ = ["LocalEndpoint"]

_MISSING_MOTO = "--local needs moto: pip install 'ddbsql[local]'"
_START_TIMEOUT = 30.0

_quiet_lock = threading.Lock()


def _silence_werkzeug_request_log() -> None:
    """Drop Werkzeug's INFO request lines ("GET / HTTP/1.1" 200 -).

    Werkzeug sets its logger to INFO and adds a stream handler the first time it
    logs, unless a level is already set.  We set WARNING only when nobody has
    configured the logger, so an explicit user choice wins.
    """
    with _quiet_lock:
        logger = logging.getLogger("werkzeug")
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.WARNING)


def _format_url(host: str, port: int) -> str:
    if ":" in host and not host.startswith("["):  # IPv6 literal
        host = f"[{host}]"
    return f"http://{host}:{port}"


class LocalEndpoint:
    """An in-process moto server (DynamoDB + S3) on a loopback port.

    ``port=0`` picks a free port; the real one is in :attr:`port` and :attr:`url`
    after :meth:`start`.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self.host = host
        self.requested_port = port
        self.port: int | None = None
        self._server = None  # moto ThreadedMotoServer

    # -- lifecycle -----------------------------------------------------------------

    def start(self) -> "LocalEndpoint":
        if self._server is not None:
            return self
        try:
            from moto.server import ThreadedMotoServer
        except ImportError as exc:
            raise ConfigError(_MISSING_MOTO) from exc

        _silence_werkzeug_request_log()

        class _Server(ThreadedMotoServer):
            # ThreadedMotoServer.start() waits on an event that is only set after the
            # socket is bound; if binding fails (port taken) it would wait forever.
            # Record the failure and release the waiter instead.
            error: BaseException | None = None

            def _server_entry(self) -> None:
                try:
                    super()._server_entry()
                except BaseException as exc:  # noqa: BLE001 - re-raised in start()
                    self.error = exc
                    self._server_ready_event.set()

        server = _Server(ip_address=self.host, port=self.requested_port, verbose=False)
        starter = threading.Thread(target=server.start, name="ddbsql-local-start", daemon=True)
        starter.start()
        starter.join(_START_TIMEOUT)
        if starter.is_alive():
            raise ConfigError(f"local endpoint did not start on {self.host}:{self.requested_port} "
                              f"within {_START_TIMEOUT:.0f} s")
        if server.error is not None or getattr(server, "_server", None) is None:
            error = server.error
            # Werkzeug reports a bind failure by printing to stderr and calling
            # sys.exit(1); the OSError it caught is the SystemExit's context.
            if isinstance(error, SystemExit) and isinstance(error.__context__, OSError):
                error = error.__context__
            if isinstance(error, OSError):
                reason = error.strerror or str(error)
            else:
                reason = repr(error) if error is not None else "unknown error"
            raise ConfigError(f"cannot start local endpoint on {self.host}:{self.requested_port}: "
                              f"{reason}") from error
        # With port=0 the OS picks the port: read it back from the bound socket.
        _host, port = server.get_host_and_port()
        self.port = int(port)
        self._server = server
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        # serve_forever() notices a shutdown request only between select() calls,
        # which time out every 0.5 s; poke the socket so it returns at once.
        stopped = threading.Event()
        waker = threading.Thread(target=self._wake, args=(stopped,), daemon=True)
        waker.start()
        try:
            server.stop()
        finally:
            stopped.set()
            waker.join()
            wsgi = getattr(server, "_server", None)
            if wsgi is not None:
                wsgi.server_close()  # ThreadedMotoServer.stop() leaves the socket open
        self.port = None

    def _wake(self, stopped: threading.Event) -> None:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        host = "::1" if host == "::" else host
        while not stopped.wait(0.02):
            try:
                socket.create_connection((host, self.port), timeout=0.5).close()
            except OSError:
                return

    def __enter__(self) -> "LocalEndpoint":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # -- addresses -----------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def url(self) -> str:
        """``http://host:port`` of the running server."""
        if self.port is None:
            raise RuntimeError("LocalEndpoint is not running; call start() first")
        return _format_url(self.host, self.port)

    def __repr__(self) -> str:
        state = self.url if self.port is not None else "stopped"
        return f"<LocalEndpoint {state}>"
