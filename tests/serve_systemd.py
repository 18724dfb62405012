#!/usr/bin/env python3
"""caisson serve under a faked systemd: socket activation (LISTEN_FDS=1,
LISTEN_PID, fd 3 a listening UNIX stream socket at the configured path)
and a notify socket (NOTIFY_SOCKET, WATCHDOG_USEC). Asserts: READY=1 once
serving, requests answered on the passed socket, WATCHDOG=1 pings, SIGHUP
as RELOADING=1 then READY=1, SIGTERM as STOPPING=1 and exit 0 with the
passed socket left in place (it is the socket unit's); and refusals (exit
2, the reason named) of a datagram socket, a socket at another path, a TCP
socket and two sockets.
usage: serve_systemd.py BUILD SRC"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile

B, S = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
tmp = tempfile.mkdtemp(prefix="caisson-systemd.")
SOCK, NOTIFY, CONF = f"{tmp}/s.sock", f"{tmp}/notify", f"{tmp}/serve.ini"
# fd 3 from our stdin, LISTEN_PID the daemon's own pid (exec keeps it).
# With LISTEN_FDS=2, fd 4 too (the same socket).
SHIM = 'exec 3<&0 0</dev/null; LISTEN_PID=$$ exec "$@"'
SHIM2 = 'exec 3<&0 4<&0 0</dev/null; LISTEN_PID=$$ exec "$@"'


def fail(msg, log=""):
    print("FAIL:", msg)
    if log:
        print("--- daemon log:\n" + log)
    sys.exit(1)


def start(listener, env_extra):
    env = {k: v for k, v in os.environ.items() if k not in ("LISTEN_FDS", "LISTEN_PID", "NOTIFY_SOCKET")}
    env.update(env_extra)
    shim = SHIM2 if env.get("LISTEN_FDS") == "2" else SHIM
    return subprocess.Popen(["sh", "-c", shim, "sh", f"{B}/caisson", "serve", "-c", CONF],
                            stdin=listener.fileno(), stderr=subprocess.PIPE, env=env)


def listening(family, kind, addr):
    s = socket.socket(family, kind)
    s.bind(addr)
    if kind == socket.SOCK_STREAM:
        s.listen(16)
    return s


def refused(listener, why, env=None):
    p = start(listener, env or {"LISTEN_FDS": "1"})
    _, err = p.communicate(timeout=60)
    err = err.decode()
    if p.returncode != 2 or why not in err:
        fail(f"expected exit 2 with '{why}', got {p.returncode}: {err}")


def messages(n_sock, until, limit=400):
    """Notify datagrams until one equals or contains `until`."""
    got = []
    n_sock.settimeout(30)
    while len(got) < limit:
        m = n_sock.recv(4096).decode()
        got.append(m)
        if until in m.split("\n"):
            return got
    fail(f"no {until} among {got[:20]}")


def post(body):
    c = socket.socket(socket.AF_UNIX)
    c.settimeout(30)
    c.connect(SOCK)
    c.sendall(b"POST /v1/pools/echo/run HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
              b"Content-Length: %d\r\n\r\n" % len(body) + body)
    data = b""
    while True:
        more = c.recv(65536)
        if not more:
            break
        data += more
    c.close()
    head, _, answer = data.partition(b"\r\n\r\n")
    return head.split(b" ")[1], answer


def main():
    with open(CONF, "w") as f:
        f.write(f"[server]\nsocket = {SOCK}\n\n[pool echo]\nprofile = {S}/profiles/echo.ini\n"
                f"plugin = {B}/samples/echo.so\nworkers = 1\n")
    # Refusals first: what systemd passes must be what the config says.
    with listening(socket.AF_UNIX, socket.SOCK_DGRAM, f"{tmp}/dgram") as l:
        refused(l, "is not a listening UNIX stream socket at " + SOCK)
    with listening(socket.AF_UNIX, socket.SOCK_STREAM, f"{tmp}/other.sock") as l:
        refused(l, "is not a listening UNIX stream socket at " + SOCK)
    with listening(socket.AF_INET, socket.SOCK_STREAM, ("127.0.0.1", 0)) as l:
        refused(l, "is not a listening UNIX stream socket")
    with listening(socket.AF_UNIX, socket.SOCK_STREAM, SOCK) as l:
        refused(l, "systemd passed 2 sockets", {"LISTEN_FDS": "2"})
    os.unlink(SOCK)

    n_sock = listening(socket.AF_UNIX, socket.SOCK_DGRAM, NOTIFY)
    listener = listening(socket.AF_UNIX, socket.SOCK_STREAM, SOCK)
    p = start(listener, {"LISTEN_FDS": "1", "NOTIFY_SOCKET": NOTIFY, "WATCHDOG_USEC": "200000"})
    try:
        got = messages(n_sock, "READY=1")
        if "STATUS=serving" not in got[-1]:
            fail(f"READY without its status: {got}")
        code, answer = post(b"activated")
        if code != b"200" or answer != b"activated":
            fail(f"request on the passed socket: {code} {answer}")
        pings = 0
        while pings < 3:
            pings += "WATCHDOG=1" in messages(n_sock, "WATCHDOG=1")[-1]
        p.send_signal(signal.SIGHUP)
        got = messages(n_sock, "READY=1")
        if "RELOADING=1" not in [m for m in got]:
            fail(f"SIGHUP: no RELOADING=1 before READY=1: {got}")
        code, answer = post(b"after reload")
        if code != b"200" or answer != b"after reload":
            fail(f"request after the reload: {code} {answer}")
        p.send_signal(signal.SIGTERM)
        messages(n_sock, "STOPPING=1")
        _, err = p.communicate(timeout=60)
        log = err.decode()
        if p.returncode != 0:
            fail(f"exit {p.returncode} after SIGTERM", log)
        if "(socket from systemd)" not in log:
            fail("the daemon did not say it serves systemd's socket", log)
        if not os.path.exists(SOCK):
            fail("the daemon removed the socket unit's socket", log)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    print(f"serve_systemd: ok ({pings} watchdog pings, READY, RELOADING, STOPPING; 4 bad sockets refused)")


try:
    main()
finally:
    shutil.rmtree(tmp, ignore_errors=True)
