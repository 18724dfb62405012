"""A client for caisson serve over its UNIX socket, standard library only:
http.client with the connection's socket made an AF_UNIX one."""
from __future__ import annotations

import http.client
import json
import socket
import urllib.parse
from typing import Any, Dict, Optional, Union

from .errors import CaissonError, error_for

Bytes = Union[bytes, bytearray, memoryview]


class UnixHTTPConnection(http.client.HTTPConnection):
    """HTTPConnection to a UNIX stream socket instead of host:port."""

    def __init__(self, path: str, timeout: Optional[float] = None) -> None:
        super().__init__("localhost", timeout=timeout)
        self.unix_path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            if self.timeout is not None:
                sock.settimeout(self.timeout)
            sock.connect(self.unix_path)
        except BaseException:
            sock.close()
            raise
        self.sock = sock


class Client:
    """caisson.Client("/run/caisson.sock").run("png", data) -> bytes.

    Each call opens its own connection, so one Client may be shared by
    threads. Failures raise a subclass of CaissonError (errors.py); a
    socket that cannot be reached raises OSError as usual."""

    def __init__(self, socket_path: str, timeout: Optional[float] = 60.0) -> None:
        self.socket_path = socket_path
        self.timeout = timeout

    def _call(self, method: str, path: str, body: Optional[Bytes] = None) -> bytes:
        conn = UnixHTTPConnection(self.socket_path, timeout=self.timeout)
        try:
            headers = {"Content-Type": "application/octet-stream"} if body is not None else {}
            try:
                conn.request(method, path, body=bytes(body) if body is not None else None,
                             headers=headers)
            except (BrokenPipeError, ConnectionResetError) as sent:
                # The daemon may answer (413) and close before the whole
                # body is sent: its answer is still there to read.
                try:
                    resp = conn.getresponse()
                except (OSError, http.client.HTTPException):
                    raise sent from None
            else:
                resp = conn.getresponse()
            data = resp.read()
            status = resp.getheader("Caisson-Status")
            if resp.status == 200 and status in (None, "OK"):
                return data
            raise error_for(status, resp.getheader("Caisson-Detail") or "", resp.status,
                            resp.getheader("Caisson-Request-Id"))
        finally:
            conn.close()

    def run(self, pool: str, data: Bytes, **args: Union[str, int]) -> bytes:
        """Runs data through pool's plugin; returns the answer's bytes.
        args are the request's per-request arguments (key=value, at most
        16), sent as query parameters; the pool's profile declares each
        key and its type in [args], and the daemon refuses any that does
        not fit with BadArgs (HTTP 400) before a worker sees it."""
        path = "/v1/pools/" + urllib.parse.quote(pool, safe="") + "/run"
        if args:
            # Percent-encoding only: the daemon reads '+' as itself.
            path += "?" + urllib.parse.urlencode({k: str(v) for k, v in args.items()},
                                                 quote_via=urllib.parse.quote, safe="")
        return self._call("POST", path, data)

    def pools(self) -> Dict[str, Any]:
        """GET /v1/pools: the pools and their counters."""
        result: Dict[str, Any] = json.loads(self._call("GET", "/v1/pools"))
        return result

    def metrics(self) -> str:
        """GET /metrics: Prometheus text."""
        return self._call("GET", "/metrics").decode("utf-8")

    def healthy(self) -> bool:
        """GET /healthz: True while the daemon serves, False while it drains."""
        try:
            return self._call("GET", "/healthz") == b"ok\n"
        except CaissonError:
            return False
