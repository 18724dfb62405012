#!/usr/bin/env python3
"""Steady load on caisson serve for the reload test: THREADS clients, each
on its own keep-alive connection, POST random bytes to each POOL in turn
until the file STOP exists; every answer must be 200 with the exact bytes
back. Prints "ok N" (requests answered) or the first failures, exit 1.
usage: serve_load.py SOCKET STOP THREADS POOL..."""
import http.client
import os
import socket
import sys
import threading


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost", timeout=60)
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(60)
        self.sock.connect(self.path)


def client(path, stop, pools, done, failures, lock):
    conn = UnixConnection(path)
    n = 0
    while not os.path.exists(stop):
        for pool in pools:
            body = os.urandom(64 + n % 512)
            try:
                conn.request("POST", f"/v1/pools/{pool}/run", body)
                r = conn.getresponse()
                answer = r.read()
                ok = r.status == 200 and answer == body
                why = f"{pool}: HTTP {r.status} {r.getheader('Caisson-Status')} {r.getheader('Caisson-Detail')}"
            except (OSError, http.client.HTTPException) as e:
                ok, why = False, f"{pool}: {type(e).__name__}: {e}"
                conn.close()
                conn = UnixConnection(path)
            with lock:
                done[0] += 1
                if not ok:
                    failures.append(why)
            n += 1
    conn.close()


def main():
    path, stop, nthreads, pools = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
    done, failures, lock = [0], [], threading.Lock()
    threads = [threading.Thread(target=client, args=(path, stop, pools, done, failures, lock))
               for _ in range(nthreads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        print(f"FAILED {len(failures)} of {done[0]}:", *failures[:10], sep="\n  ")
        return 1
    print(f"ok {done[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
