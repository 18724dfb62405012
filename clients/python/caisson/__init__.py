"""caisson: a client for `caisson serve`, the sandboxing daemon.

    import caisson
    answer = caisson.Client("/run/caisson.sock").run("png", data)
    thumb = caisson.Client("/run/caisson.sock").run("png-thumb", data, thumb=64)

Standard library only. Every failure is a CaissonError subclass carrying
.status (Caisson-Status), .detail (Caisson-Detail) and .http_status."""
from .client import Client, UnixHTTPConnection
from .errors import (BadArgs, BadRequest, CaissonError, Cancelled, CpuLimit, Crashed, Forbidden,
                     InputTooLarge, MemoryLimit, MethodNotAllowed, NotFound, OutputLimit,
                     Overloaded, PluginError, ProtocolError, ShuttingDown, SpawnFailed, Timeout,
                     Violation)

__all__ = [
    "Client", "UnixHTTPConnection", "CaissonError", "BadArgs", "BadRequest", "Cancelled", "CpuLimit",
    "Crashed", "Forbidden", "InputTooLarge", "MemoryLimit", "MethodNotAllowed", "NotFound",
    "OutputLimit", "Overloaded", "PluginError", "ProtocolError", "ShuttingDown", "SpawnFailed",
    "Timeout", "Violation",
]
