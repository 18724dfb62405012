"""Typed errors for caisson serve's answers: one class per Caisson-Status,
all subclasses of CaissonError, each carrying the HTTP status, the
Caisson-Status name and the Caisson-Detail text."""
from __future__ import annotations

from typing import Dict, Optional, Type


class CaissonError(Exception):
    """A request the daemon did not answer with OK."""

    def __init__(self, status: str, detail: str, http_status: int,
                 request_id: Optional[str] = None) -> None:
        super().__init__(f"{status}: {detail}" if detail else status)
        self.status = status
        self.detail = detail
        self.http_status = http_status
        self.request_id = request_id


class PluginError(CaissonError):
    """The plugin refused the input (PLUGIN_ERROR, HTTP 422)."""


class Crashed(CaissonError):
    """The worker died on a signal (CRASHED)."""


class Violation(CaissonError):
    """The worker made a forbidden system call (VIOLATION)."""


class Timeout(CaissonError):
    """The request ran past its wall-clock limit (TIMEOUT)."""


class CpuLimit(CaissonError):
    """The worker used up its CPU time (CPU_LIMIT)."""


class MemoryLimit(CaissonError):
    """The worker ran out of its memory limit (MEMORY_LIMIT)."""


class OutputLimit(CaissonError):
    """The answer was larger than the pool allows (OUTPUT_LIMIT)."""


class InputTooLarge(CaissonError):
    """The input was larger than the pool or the daemon accepts (HTTP 413)."""


class ProtocolError(CaissonError):
    """The worker broke the IPC protocol (PROTOCOL_ERROR)."""


class SpawnFailed(CaissonError):
    """No worker could be started (SPAWN_FAILED; HTTP 503: breaker open)."""


class Overloaded(CaissonError):
    """The pool's queue or the daemon's client limit is full (HTTP 429/503)."""


class Cancelled(CaissonError):
    """The daemon stopped before the request ended (CANCELLED)."""


class Forbidden(CaissonError):
    """This uid/gid may not use the pool (HTTP 403)."""


class NotFound(CaissonError):
    """No such pool or endpoint (HTTP 404)."""


class MethodNotAllowed(CaissonError):
    """Wrong HTTP method for the endpoint (HTTP 405)."""


class BadRequest(CaissonError):
    """The daemon refused the request's form (HTTP 400)."""


class BadArgs(BadRequest):
    """The request's arguments do not fit the pool's [args] (an
    undeclared key, a value off its type, too long, a NUL, more than 16, a
    key twice); nothing was sent to a worker (HTTP 400)."""


class ShuttingDown(CaissonError):
    """The daemon is draining and takes no new requests (HTTP 503)."""


BY_STATUS: Dict[str, Type[CaissonError]] = {
    "PLUGIN_ERROR": PluginError,
    "CRASHED": Crashed,
    "VIOLATION": Violation,
    "TIMEOUT": Timeout,
    "CPU_LIMIT": CpuLimit,
    "MEMORY_LIMIT": MemoryLimit,
    "OUTPUT_LIMIT": OutputLimit,
    "INPUT_TOO_LARGE": InputTooLarge,
    "PROTOCOL_ERROR": ProtocolError,
    "SPAWN_FAILED": SpawnFailed,
    "OVERLOADED": Overloaded,
    "CANCELLED": Cancelled,
    "FORBIDDEN": Forbidden,
    "NOT_FOUND": NotFound,
    "METHOD_NOT_ALLOWED": MethodNotAllowed,
    "BAD_REQUEST": BadRequest,
    "BAD_ARGS": BadArgs,
    "SHUTTING_DOWN": ShuttingDown,
}

# When evhttp itself refuses (no Caisson-Status header): by HTTP status.
BY_HTTP: Dict[int, Type[CaissonError]] = {
    400: BadRequest,
    403: Forbidden,
    404: NotFound,
    405: MethodNotAllowed,
    413: InputTooLarge,
    429: Overloaded,
}


def error_for(status: Optional[str], detail: str, http_status: int,
              request_id: Optional[str] = None) -> CaissonError:
    """The typed error for an answer that is not OK."""
    cls = BY_STATUS.get(status or "") or BY_HTTP.get(http_status, CaissonError)
    return cls(status or f"HTTP_{http_status}", detail, http_status, request_id)
