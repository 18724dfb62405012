#!/usr/bin/env python3
"""Checks that supervisor/'s design reads top-down (supervisor/README.md).

From the built objects (nm: which file defines and which uses each symbol)
and from the sources (#include lines), it derives two graphs and fails on:
  - an arrow between subsystem folders that the layering forbids
    (cli -> evidence -> broker -> {policy, elf} -> ipc; nothing points up);
  - a cycle between files, except the ones listed in ALLOWED_CYCLES with the
    reason the circle is the honest shape.
Usage: layout_check.py SOURCE_DIR BUILD_DIR
"""
import os
import re
import subprocess
import sys

# Lower rank may be used by higher rank; equal ranks never use each other.
RANK = {"ipc": 0, "policy": 1, "elf": 1, "broker": 2, "evidence": 3, "fuzz": 3, "serve": 3, "cli": 4}
# Outside supervisor/, the only sources supervisor code may include.
EXTERNAL_OK = {"ipc", "worker"}

# A file cycle is allowed only as a whole, named set (see supervisor/README.md).
ALLOWED_CYCLES = {
    frozenset({"broker/pool.c", "broker/pool_worker.c", "broker/pool_pipe.c", "broker/pool_idle.c"}):
        "one object (a pool) whose worker state machine, pipeline and idle watch "
        "are split by size: workers report to the pool, the pool dispatches to workers",
}


def folder_of(rel):
    """'supervisor/broker/pool.c' -> 'broker'; 'ipc/ipc_io.c' -> 'ipc'."""
    parts = rel.split("/")
    if parts[0] == "supervisor" and len(parts) == 3:
        return parts[1]
    return parts[0]


def objects(source, build):
    """Maps each object under build/CMakeFiles built from supervisor/ or
    ipc/ sources to its source path relative to the source tree (objects
    of sources that no longer exist, left by an older build, are not)."""
    out = {}
    root = os.path.join(build, "CMakeFiles")
    for d, _, files in os.walk(root):
        for f in files:
            if not f.endswith(".c.o"):
                continue
            path = os.path.join(d, f)
            rel = os.path.relpath(path, root).split(os.sep, 1)
            if len(rel) < 2:
                continue
            src = rel[1][: -len(".o")]
            if not os.path.exists(os.path.join(source, src)):
                continue
            if src.startswith("supervisor/") or src.startswith("ipc/"):
                out.setdefault(src, path)
    return out


def nm(path, flag):
    res = subprocess.run(["nm", flag, path], capture_output=True, text=True, check=True)
    syms = set()
    for line in res.stdout.splitlines():
        fields = line.split()
        if flag == "-u" and fields:
            syms.add(fields[-1])
        elif len(fields) == 3 and fields[1] in "TDBRC":
            syms.add(fields[2])
    return syms


def symbol_edges(objs):
    defined = {}
    for src, obj in objs.items():
        for s in nm(obj, "--defined-only"):
            defined.setdefault(s, src)
    edges = {}
    for src, obj in objs.items():
        for s in nm(obj, "-u"):
            dst = defined.get(s)
            if dst and dst != src:
                edges.setdefault(src, set()).add(dst)
    return edges


def include_edges(source):
    """Folder-level arrows from #include lines of supervisor/ sources."""
    found = []
    pat = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
    top = os.path.join(source, "supervisor")
    for d, _, files in os.walk(top):
        for f in files:
            if not f.endswith((".c", ".h")):
                continue
            rel = os.path.relpath(os.path.join(d, f), source)
            for inc in pat.findall(open(os.path.join(d, f)).read()):
                if "/" not in inc:
                    if not os.path.exists(os.path.join(d, inc)) and inc != "caisson.h":
                        found.append((rel, inc, "bare include of a header from another folder"))
                    continue
                found.append((rel, inc, None))
    return found


def sccs(edges):
    """Tarjan's strongly connected components, iterative."""
    index, low, stack, on, comps, counter = {}, {}, [], set(), [], [0]
    nodes = set(edges) | {d for v in edges.values() for d in v}
    for root in sorted(nodes):
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            nxt = next(it, None)
            if nxt is not None:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter[0]
                    counter[0] += 1
                    stack.append(nxt)
                    on.add(nxt)
                    work.append((nxt, iter(sorted(edges.get(nxt, ())))))
                elif nxt in on:
                    low[v] = min(low[v], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = set()
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.add(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    comps.append(comp)
    return comps


def arrow_ok(src_folder, dst_folder):
    if src_folder == dst_folder:
        return True
    if src_folder in RANK and dst_folder in RANK:
        return RANK[dst_folder] < RANK[src_folder]
    return dst_folder in EXTERNAL_OK


def main():
    source, build = sys.argv[1], sys.argv[2]
    errors = []
    objs = objects(source, build)
    folders = {folder_of(s) for s in objs}
    missing = set(RANK) - folders
    if missing:
        errors.append("no objects found for %s under %s (build first)" % (sorted(missing), build))
    edges = symbol_edges(objs)
    for src, dsts in sorted(edges.items()):
        for dst in sorted(dsts):
            if not arrow_ok(folder_of(src), folder_of(dst)):
                errors.append("%s calls into %s: %s may not use %s" %
                              (src, dst, folder_of(src), folder_of(dst)))
    for rel, inc, why in include_edges(source):
        if why:
            errors.append("%s: #include \"%s\": %s" % (rel, inc, why))
            continue
        dst = inc.split("/")[0]
        if not arrow_ok(folder_of(rel), dst):
            errors.append("%s: #include \"%s\": %s may not use %s" % (rel, inc, folder_of(rel), dst))
    short = {s: s[len("supervisor/"):] if s.startswith("supervisor/") else s for s in objs}
    for comp in sccs(edges):
        names = frozenset(short[c] for c in comp)
        if names not in ALLOWED_CYCLES:
            errors.append("cycle between files: %s" % " <-> ".join(sorted(names)))
    for e in errors:
        print("layout: " + e, file=sys.stderr)
    if errors:
        return 1
    print("layout: %d objects, %d file arrows, every arrow points down; allowed cycles: %s" %
          (len(objs), sum(len(v) for v in edges.values()),
           "; ".join(" <-> ".join(sorted(c)) for c in ALLOWED_CYCLES)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
