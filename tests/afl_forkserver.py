#!/usr/bin/env python3
"""`caisson afl` driven as afl-fuzz drives a target: a SysV shared-memory
bitmap named by __AFL_SHM_ID, the forkserver's control pipe on descriptor
198 and status pipe on 199. Checks the handshake, that each test case's
status is what afl-fuzz would read (exit 0, SIGSEGV for the planted null
write, SIGSYS for the forbidden open), that coverage reaches the bitmap,
that the pid reported is the sandboxed worker's (not caisson's) and a new
one after a finding, that afl-fuzz closing the control pipe ends caisson
with 0, and the run-once mode without a forkserver (caisson dies of the
input's signal). usage: afl_forkserver.py BUILD_DIR SOURCE_DIR"""
import ctypes
import os
import signal
import struct
import subprocess
import sys
import tempfile

build, src = sys.argv[1], sys.argv[2]
caisson = os.path.join(build, "caisson")
profile = os.path.join(src, "profiles", "default.ini")
planted = os.path.join(build, "samples", "fuzz_planted.so")
fails = 0
count = 0


def check(cond, what):
    global fails, count
    count += 1
    if not cond:
        fails += 1
        print("FAIL: " + what, file=sys.stderr)


libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
MAP = 65536
shm = libc.shmget(0, MAP, 0o1000 | 0o600)  # IPC_PRIVATE, IPC_CREAT
if shm < 0:
    sys.exit("shmget failed")
addr = libc.shmat(shm, None, 0)
bitmap = (ctypes.c_uint8 * MAP).from_address(addr)

tmp = tempfile.mkdtemp(prefix="caisson-afl.")
case = os.path.join(tmp, "cur_input")
ctl_r, ctl_w = os.pipe()
st_r, st_w = os.pipe()


os.dup2(ctl_r, 198)
os.dup2(st_w, 199)
os.close(ctl_r)
os.close(st_w)
env = dict(os.environ, __AFL_SHM_ID=str(shm))
proc = subprocess.Popen([caisson, "afl", "-p", profile, planted, case], env=env, pass_fds=(198, 199),
                        stdin=subprocess.DEVNULL, stderr=subprocess.PIPE)
os.close(198)
os.close(199)
hello = os.read(st_r, 4)
check(len(hello) == 4, "forkserver hello (4 bytes on 199)")


def run(data):
    with open(case, "wb") as f:
        f.write(data)
    ctypes.memset(addr, 0, MAP)
    os.write(ctl_w, struct.pack("<I", 0))
    pid = struct.unpack("<i", os.read(st_r, 4))[0]
    status = struct.unpack("<i", os.read(st_r, 4))[0]
    return pid, status, sum(1 for b in bitmap if b)


pid1, st, edges = run(b"hello")
check(st == 0, "a harmless input: status 0, got %d" % st)
check(edges > 0, "coverage reaches afl's bitmap (%d entries)" % edges)
check(pid1 > 0 and pid1 != proc.pid, "the pid reported is not caisson's own (%d)" % pid1)
try:
    comm = open("/proc/%d/comm" % pid1).read().strip()
except OSError:
    comm = ""
check(comm == "caisson-zygote", "the pid reported is the sandboxed worker (comm %r)" % comm)
pid2, st, _ = run(b"hello again")
check(pid2 == pid1 and st == 0, "the worker persists across test cases")
pid3, st, edges = run(b"FUZZING!")
check(st == signal.SIGSEGV, "the planted null write: SIGSEGV, got %d" % st)
check(edges > 0, "a crash marks the bitmap by its stack hash")
pid4, st, _ = run(b"OPENUP")
check(pid4 != pid3 and st == signal.SIGSYS, "the forbidden open: SIGSYS in a fresh worker, got %d" % st)
pid5, st, _ = run(b"ok")
check(pid5 not in (pid3, pid4) and st == 0, "after findings, a fresh worker runs on")
os.close(ctl_w)
try:
    rc = proc.wait(timeout=30)
except subprocess.TimeoutExpired:
    proc.kill()
    rc = None
check(rc == 0, "control pipe closed: caisson ends with 0, got %r; stderr %r" % (rc, proc.stderr.read()[-400:]))

# Without a forkserver: one run, ending as the input did.
for data, want in ((b"FUZZING!", -signal.SIGSEGV), (b"OPENUP", -signal.SIGSYS), (b"fine", 0)):
    with open(case, "wb") as f:
        f.write(data)
    r = subprocess.run([caisson, "afl", "-p", profile, planted, case], stdin=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, timeout=60)
    check(r.returncode == want, "run once %r: returncode %d, want %d" % (data, r.returncode, want))
# Standard input instead of a file (afl-fuzz without @@).
with open(case, "wb") as f:
    f.write(b"FUZZING!")
with open(case, "rb") as f:
    r = subprocess.run([caisson, "afl", "-p", profile, planted], stdin=f, stderr=subprocess.PIPE, timeout=60)
check(r.returncode == -signal.SIGSEGV, "the test case on standard input: returncode %d" % r.returncode)

libc.shmdt(ctypes.c_void_p(addr))
libc.shmctl(shm, 0, None)  # IPC_RMID
os.unlink(case)
os.rmdir(tmp)
print("afl_forkserver: %d checks, %d failed" % (count, fails))
sys.exit(1 if fails else 0)
