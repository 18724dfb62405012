#!/usr/bin/env python3
"""Runs a command as a child subreaper (PR_SET_CHILD_SUBREAPER), so that
any process it leaves behind at exit (a worker or zygote it did not reap,
or one that escaped by double-forking) is reparented here, where it is
seen. Usage: subreaper.py PIDFILE CMD [ARGS...]; writes the command's pid
to PIDFILE, exits with the command's status if nothing was left behind,
else 99 after listing what was (and killing it).
"""
import ctypes
import os
import signal
import subprocess
import sys

PR_SET_CHILD_SUBREAPER = 36


def orphans():
    """Processes (alive or zombie) whose parent is now this one."""
    me, out = os.getpid(), []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        rest = stat[stat.rindex(")") + 2:].split()
        if int(rest[1]) == me:
            out.append(f"{d} ({stat[stat.index('(') + 1:stat.rindex(')')]}) state {rest[0]}")
    return out


def main():
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit(f"subreaper: prctl: {os.strerror(ctypes.get_errno())}")
    proc = subprocess.Popen(sys.argv[2:])
    with open(sys.argv[1], "w") as f:
        f.write(f"{proc.pid}\n")
    rc = proc.wait()
    # The command is reaped: everything it left is reparented here by now.
    left = orphans()
    if left:
        print("subreaper: left behind: " + "; ".join(left), file=sys.stderr)
        for line in left:
            try:
                os.kill(int(line.split()[0]), signal.SIGKILL)
            except OSError:
                pass
        sys.exit(99)
    sys.exit(rc if rc >= 0 else 128 - rc)


if __name__ == "__main__":
    main()
