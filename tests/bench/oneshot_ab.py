#!/usr/bin/env python3
"""Figure 9 as an A/B comparison: one input through `caisson run` from two
builds, and bwrap launching a static true (figure 9's peer), interleaved per
iteration, so the builds and the peer see the same load. Prints, per
command, the wall time posix_spawn to reaped (median and first quartile,
each also as a ratio to bwrap's) and the CPU time of the process tree (the
children's rusage from wait4: every process reaped below them included).
Used to decide what pays in docs/benchmarks.md, figure 9; not a test.

usage: oneshot_ab.py ROUNDS SOURCE_DIR BUILD_DIR [BUILD_DIR...]
"""
import os
import statistics
import sys
import tempfile
import time


def commands(src, builds, inp):
    cmds = {b: [b + "/caisson", "run", "-p", src + "/profiles/echo.ini", b + "/samples/echo.so", inp]
            for b in builds}
    cmds["bwrap"] = ["bwrap", "--unshare-all", "--die-with-parent", "--cap-drop", "ALL", "--ro-bind", "/usr",
                     "/usr", "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64", "--symlink",
                     "usr/bin", "/bin", "--ro-bind", builds[0] + "/tests/bench/true_static", "/true", "/true"]
    return cmds


def once(argv, devnull):
    t = time.perf_counter_ns()
    pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1)])
    _, status, ru = os.wait4(pid, 0)
    wall = (time.perf_counter_ns() - t) / 1000
    if status != 0:
        sys.exit("%s: exit status %#x" % (" ".join(argv), status))
    return wall, (ru.ru_utime + ru.ru_stime) * 1e6


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    rounds, src, builds = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    fd, inp = tempfile.mkstemp(prefix="caisson-oneshot-ab.")
    os.write(fd, b"caisson one-shot\n")
    os.close(fd)
    cmds = commands(src, builds, inp)
    wall = {k: [] for k in cmds}
    cpu = {k: [] for k in cmds}
    devnull = os.open("/dev/null", os.O_WRONLY)
    try:
        for i in range(-3, rounds):  # 3 warm-up rounds
            for k, argv in cmds.items():
                w, c = once(argv, devnull)
                if i >= 0:
                    wall[k].append(w)
                    cpu[k].append(c)
    finally:
        os.unlink(inp)
    q1 = lambda v: statistics.quantiles(v, n=4)[0]
    bw50, bw25 = statistics.median(wall["bwrap"]), q1(wall["bwrap"])
    for k in cmds:
        w50, w25 = statistics.median(wall[k]), q1(wall[k])
        print("%-40s wall p50 %7.0f us %.3fx bwrap  p25 %7.0f us %.3fx  cpu p50 %6.0f us p25 %6.0f us" %
              (k, w50, w50 / bw50, w25, w25 / bw25, statistics.median(cpu[k]), q1(cpu[k])))


if __name__ == "__main__":
    main()
