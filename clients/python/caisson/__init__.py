"""caisson: a client for `caisson serve`, the sandboxing daemon.

    import caisson
    answer = caisson.Client("/run/caisson.sock").run("png", data)

Standard library only. Every failure is a CaissonError subclass carrying
.status (Caisson-Status), .detail (Caisson-Detail) and .http_status."""
from .client import Client, UnixHTTPConnection
from .errors import (BadRequest, CaissonError, Cancelled, CpuLimit, Crashed, Forbidden,
                     InputTooLarge, MemoryLimit, MethodNotAllowed, NotFound, OutputLimit,
                     Overloaded, PluginError, ProtocolError, ShuttingDown, SpawnFailed, Timeout,
                     Violation)

__all__ = [
    "Client", "UnixHTTPConnection", "CaissonError", "BadRequest", "Cancelled", "CpuLimit",
    "Crashed", "Forbidden", "InputTooLarge", "MemoryLimit", "MethodNotAllowed", "NotFound",
    "OutputLimit", "Overloaded", "PluginError", "ProtocolError", "ShuttingDown", "SpawnFailed",
    "Timeout", "Violation",
]
