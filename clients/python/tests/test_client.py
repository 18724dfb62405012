"""The Python client against a real `caisson serve` started here on a temp
socket: an exact round trip, one typed exception per status a pool can
give, the daemon's own refusals, and the status endpoints.
Needs CAISSON_BUILD (the build directory) and CAISSON_SRC (the source)."""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

import caisson

BUILD = os.environ["CAISSON_BUILD"]
SRC = os.environ["CAISSON_SRC"]


class DaemonTest(unittest.TestCase):
    tmp: str
    proc: subprocess.Popen
    client: caisson.Client

    @classmethod
    def setUpClass(cls) -> None:
        cls.tmp = tempfile.mkdtemp(prefix="caisson-pyclient.")
        sock = os.path.join(cls.tmp, "caisson.sock")
        conf = os.path.join(cls.tmp, "serve.ini")
        with open(conf, "w") as f:
            f.write(f"""[server]
socket = {sock}
max_body = 64K
[pool echo]
profile = {SRC}/profiles/echo.ini
plugin = {BUILD}/samples/echo.so
workers = 2
[pool args]
profile = {SRC}/tests/profiles/args.ini
plugin = {BUILD}/tests/args.so
workers = 1
[pool hostile]
profile = {SRC}/profiles/hostile.ini
plugin = {BUILD}/tests/selective.so
workers = 2
""")
        cls.log = open(os.path.join(cls.tmp, "log"), "w+")
        cls.proc = subprocess.Popen([os.path.join(BUILD, "caisson"), "serve", "-c", conf],
                                    stderr=cls.log)
        cls.client = caisson.Client(sock, timeout=30)
        for _ in range(200):
            if os.path.exists(sock) and cls.client.healthy():
                return
            if cls.proc.poll() is not None:
                break
            time.sleep(0.05)
        cls.tearDownClass()
        raise RuntimeError("caisson serve did not start")

    @classmethod
    def tearDownClass(cls) -> None:
        cls.proc.send_signal(signal.SIGTERM)
        rc = cls.proc.wait(timeout=30)
        cls.log.seek(0)
        log = cls.log.read()
        cls.log.close()
        shutil.rmtree(cls.tmp)
        if rc != 0:
            raise RuntimeError(f"caisson serve exited {rc}: {log}")

    def assertRaisesStatus(self, cls, status, http_status, fn, *args, **kw):
        with self.assertRaises(cls) as cm:
            fn(*args, **kw)
        self.assertIsInstance(cm.exception, caisson.CaissonError)
        self.assertEqual(cm.exception.status, status)
        self.assertEqual(cm.exception.http_status, http_status)
        return cm.exception

    def test_round_trip_exact(self) -> None:
        data = bytes(range(256)) * 64
        self.assertEqual(self.client.run("echo", data), data)
        self.assertEqual(self.client.run("echo", b""), b"")

    def test_plugin_error(self) -> None:
        e = self.assertRaisesStatus(caisson.PluginError, "PLUGIN_ERROR", 422,
                                    self.client.run, "hostile", b"fail")
        self.assertEqual(e.detail, "refused: input says fail")

    def test_crashed(self) -> None:
        e = self.assertRaisesStatus(caisson.Crashed, "CRASHED", 502, self.client.run, "hostile", b"segv")
        self.assertEqual(e.detail, "SIGSEGV")

    def test_violation(self) -> None:
        e = self.assertRaisesStatus(caisson.Violation, "VIOLATION", 502,
                                    self.client.run, "hostile", b"open")
        self.assertIn("openat", e.detail)

    def test_timeout(self) -> None:
        self.assertRaisesStatus(caisson.Timeout, "TIMEOUT", 502, self.client.run, "hostile", b"hang")

    def test_input_too_large(self) -> None:
        self.assertRaisesStatus(caisson.InputTooLarge, "HTTP_413", 413,
                                self.client.run, "echo", b"x" * (64 * 1024 + 1))

    def test_unknown_pool(self) -> None:
        self.assertRaisesStatus(caisson.NotFound, "NOT_FOUND", 404, self.client.run, "nope", b"x")

    def test_arguments(self) -> None:
        names = b"page\nformat\nname\n"
        self.assertEqual(self.client.run("args", names, page=7, format="tiff", name="a+b.c"),
                         b"page=7\nformat=tiff\nname=a+b.c\n")
        self.assertEqual(self.client.run("args", names),
                         b"page unset\nformat unset\nname unset\n")

    def test_arguments_refused(self) -> None:
        e = self.assertRaisesStatus(caisson.BadArgs, "BAD_ARGS", 400,
                                    self.client.run, "echo", b"x", width="64")
        self.assertEqual(e.detail, "unknown argument 'width' (the profile declares none)")
        self.assertIsInstance(e, caisson.BadRequest)
        cases = [
            ({"name": "a\x00b"}, "argument 'name': value 'a?b' holds a NUL byte"),
            ({"name": "a; rm -rf /"},
             "argument 'name': 'a; rm -rf /' has a character outside [A-Za-z0-9._+-] (word 64)"),
            ({"name": "-rf"}, "argument 'name': '-rf' starts with '-' (word 64)"),
            ({"name": "v" * 300}, "argument 'name': value of 300 bytes > limit 256"),
            ({"k" * 40: "1"}, f"argument name of 40 bytes > limit 32 ('{'k' * 40}')"),
            ({"size": "1"}, "unknown argument 'size' (the profile declares page, format, name)"),
            ({"page": 0}, "argument 'page': '0' is out of range (int 1..9999)"),
            ({"format": "gif"}, "argument 'format': 'gif' is not one of the members (enum png,jpeg,tiff)"),
            ({f"k{i}": "1" for i in range(17)}, "17 arguments > limit 16"),
        ]
        for args, detail in cases:
            e = self.assertRaisesStatus(caisson.BadArgs, "BAD_ARGS", 400, self.client.run, "args", b"page\n", **args)
            self.assertEqual(e.detail, detail)

    def test_still_serves_after_faults(self) -> None:
        with self.assertRaises(caisson.Crashed):
            self.client.run("hostile", b"segv")
        self.assertEqual(self.client.run("hostile", b"fine"), b"fine")

    def test_pools_and_metrics(self) -> None:
        self.client.run("echo", b"count me")
        pools = {p["name"]: p for p in self.client.pools()["pools"]}
        self.assertEqual(sorted(pools), ["args", "echo", "hostile"])
        self.assertGreaterEqual(pools["echo"]["by_status"]["OK"], 1)
        json.dumps(pools)  # plain JSON types only
        text = self.client.metrics()
        self.assertRegex(text, r'caisson_requests_total\{pool="echo",status="OK"\} [1-9]')
        self.assertIn('caisson_request_duration_seconds_bucket{pool="echo",le="+Inf"}', text)
        self.assertTrue(self.client.healthy())


if __name__ == "__main__":
    unittest.main()
