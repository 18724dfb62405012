#!/usr/bin/env bash
# The `caisson verify` contract, against real workers.
#   cli_verify.sh BUILD SRC shipped PROFILE  a shipped profile passes: exit 0,
#                                            every item OK, every probe CONTAINED
#   cli_verify.sh BUILD SRC contract         usage, a refused profile (exit 2,
#                                            FILE:LINE), the weak fixtures (exit 1,
#                                            what they allow ESCAPED, the rest
#                                            contained, exceptions listed)
#   cli_verify.sh BUILD SRC widen            the widening fixture: every probe the
#                                            exceptions let past seccomp that aims
#                                            at the host, a peer, a nested namespace
#                                            or a keyring is contained by another
#                                            named layer; only approved surface escapes
#   cli_verify.sh BUILD SRC oscal            OSCAL and JSON of real runs validate
#                                            (default.ini satisfied; weak_network
#                                            not-satisfied, its exception a risk)
#   cli_verify.sh BUILD SRC fsdata           tests/profiles/fsdata.ini: the data
#                                            and scratch mounts attested exactly,
#                                            their probes contained by the layer
#                                            named; as root also JSON and OSCAL
#                                            validate; as nobody only the loaded
#                                            filter is UNVERIFIED
#   cli_verify.sh BUILD SRC unprivileged     as a non-root user (via as_user.sh):
#                                            completes, everything contained, the
#                                            loaded filter UNVERIFIED, so exit 1
set -uo pipefail
B=$1; S=$2; mode=$3
C="$B/caisson"
tmp=$(mktemp -d /tmp/caisson-cliverify.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fails=0

fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

# verify EXPECTED_RC caisson-verify-args...: output in $tmp/out, $tmp/err
verify() {
  local want=$1; shift
  local t0=$(date +%s%N)
  "$C" verify "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
  local rc=$?
  echo "caisson verify $* -> exit $rc in $((($(date +%s%N) - t0) / 1000000)) ms"
  [ "$rc" -eq "$want" ] || fail "caisson verify $* -> exit $rc, want $want; stderr: $(head -c 600 "$tmp/err")"
}
out_has() { grep -Eq -- "$1" "$tmp/out" || fail "stdout lacks /$1/"; }
out_lacks() { ! grep -Eq -- "$1" "$tmp/out" || fail "stdout has /$1/: $(grep -E -- "$1" "$tmp/out" | head -5)"; }
err_has() { grep -Eq -- "$1" "$tmp/err" || fail "stderr lacks /$1/: $(head -c 600 "$tmp/err")"; }
# The battery has at least 60 probes, one table row each.
probes_ran() {
  local n=$(sed -n '/^containment probes/,/^$/p' "$tmp/out" | grep -cE '^  [a-z]+ +[a-z0-9-]+ +(CONTAINED|ESCAPED|UNSUPPORTED|ERROR) ')
  [ "$n" -ge 60 ] || fail "only $n probes ran"
}

case $mode in
shipped)
  verify 0 -p "$4"
  out_has '^verdict: PASS - ([0-9]+)/\1 attestation items match, ([0-9]+)/\2 probes contained$'
  probes_ran
  out_lacks ' (MISMATCH|UNVERIFIED|ESCAPED|UNSUPPORTED|ERROR) '
  out_has '^  bpf-loaded +OK '
  out_has "^  intact-after-inspection +OK .* OK from worker [0-9]+$"
  ;;
contract)
  verify 0 --help
  out_has 'usage: caisson verify -p PROFILE'
  verify 2
  err_has '-p PROFILE is required'
  verify 2 -p "$S/profiles/default.ini" --format xml
  err_has '--format wants text, json or oscal'
  verify 2 -p "$S/profiles/default.ini" --plugin "$tmp/none.so"
  err_has 'probe plugin .*none.so: No such file'
  # A refused profile: the loader's exact FILE:LINE, nothing ran.
  verify 2 -p "$S/tests/profiles/bad_exc_expired.ini"
  err_has 'bad_exc_expired.ini:[0-9]+: expires: .*expired on 2000-12-31'
  [ ! -s "$tmp/out" ] || fail "a refused profile printed a report"
  # The weak fixture: the run completes and reports honestly.
  verify 1 -p "$S/tests/profiles/weak_network.ini" -o "$tmp/report.txt"
  [ ! -s "$tmp/out" ] || fail "-o FILE still wrote to stdout"
  cp "$tmp/report.txt" "$tmp/out"
  for p in socket-inet socket-inet6 socket-unix; do
    out_has "^  network +$p +ESCAPED +- +escaped: socket\\("
  done
  out_has '^  network +socket-packet +CONTAINED +capabilities +blocked: EPERM'
  out_has '^  network +connect-loopback +CONTAINED +landlock +blocked: EACCES'
  out_has '^  files +open-etc-passwd +CONTAINED +seccomp +killed: VIOLATION openat\(AT_FDCWD, "/etc/passwd"'
  out_has '^  bombs +memory-bomb +CONTAINED +(memory-limit +limited: MEMORY_LIMIT|rlimit +blocked: ENOMEM)'
  out_has '^approved exceptions: 1$'
  out_has 'dangerous syscalls of @network, until 2099-12-31 \([0-9]+ days left\), approved by Security Review'
  out_has '^verdict: FAIL - ([0-9]+)/\1 attestation items match, [0-9]+/[0-9]+ probes contained; [0-9]+ escaped \(socket-inet, '
  probes_ran
  out_has '^  started 20[0-9-]+T[0-9:]+Z, finished 20[0-9-]+T[0-9:]+Z$'
  # More weakenings, each judged for what it really allows.
  verify 1 -p "$S/tests/profiles/weak_many.ini"
  # unshare is allowed, yet no nested user namespace: max_user_namespaces 0.
  out_has '^  namespaces +unshare-user +CONTAINED +userns-limit +blocked: ENOSPC'
  out_has '^  exec +personality +ESCAPED +- +escaped: personality\(READ_IMPLIES_EXEC\)'
  out_has '^  namespaces +unshare-net +CONTAINED +capabilities +blocked: EPERM$'
  out_has '^  signals +kill-supervisor +CONTAINED +namespace +blocked: ESRCH$'
  out_has '^  bombs +fork-bomb +CONTAINED +rlimit +blocked: EAGAIN$'
  out_has '^  bombs +fd-bomb +CONTAINED +rlimit +blocked: EMFILE after 14 descriptors$'
  out_has '^  files +open-etc-passwd +CONTAINED +seccomp +killed: VIOLATION openat'
  out_has '^approved exceptions: 4$'
  out_has '^verdict: FAIL - ([0-9]+)/\1 attestation items match, [0-9]+/[0-9]+ probes contained; 1 escaped \(personality\)$'
  ;;
widen)
  verify 1 -p "$S/tests/profiles/widen.ini"
  probes_ran
  out_has '^  max_user_namespaces +OK +.* 0 \[[0-9]+\]$'
  out_has '^  landlock +OK +required: .* ABI [1-9][0-9]* \(kernel [0-9]+\): [0-9]+ fs rights.* 1 read-only rules \[[0-9]+\]$'
  # Each reaches past seccomp (the profile allows its syscall); each must
  # be stopped by the layer named.
  while read -r cat probe layer err; do
    out_has "^  $cat +$probe +CONTAINED +$layer +blocked: $err"
  done <<'EOT'
namespaces unshare-user userns-limit ENOSPC
namespaces clone-newuser userns-limit ENOSPC
namespaces unshare-net capabilities EPERM
namespaces setns lockdown EINVAL
keyrings keyctl keyring EACCES
keyrings add-key keyring EACCES
mount mount capabilities EPERM
signals kill-supervisor namespace ESRCH
signals kill-peer namespace ESRCH
signals kill-broadcast namespace ESRCH
signals tgkill-supervisor namespace ESRCH
ptrace ptrace-supervisor namespace ESRCH
ptrace ptrace-peer namespace ESRCH
ptrace process-vm-readv-supervisor namespace ESRCH
ptrace process-vm-readv-peer namespace ESRCH
network connect-loopback landlock EACCES
files open-root-dir landlock EACCES
files open-etc-passwd empty-root ENOENT
files openat2-etc-passwd empty-root ENOENT
files open-proc-1-root empty-root ENOENT
files open-plugin-file empty-root ENOENT
files open-dev-mem empty-root ENOENT
writes create-file empty-root EROFS
writes creat-file empty-root EROFS
ipc posix-shm empty-root ENOENT
network connect-abstract-unix namespace ECONNREFUSED
network socket-packet capabilities EPERM
network socket-inet-raw capabilities EPERM
kernel userfaultfd capabilities EPERM
EOT
  # What escapes is what the exceptions approve, and reaches nothing: a
  # socket in an empty network namespace, an execution domain, perf on self.
  out_has '^verdict: FAIL - ([0-9]+)/\1 attestation items match, [0-9]+/[0-9]+ probes contained; 10 escaped \(personality, socket-inet, socket-inet6, socket-unix, socket-netlink, socket-vsock, socket-any-family, socketpair, ptrace-traceme, perf-event-open\)$'
  out_has '^approved exceptions: 19$'
  ;;
oscal)
  # Real reports in the machine formats: OSCAL validates against the NIST
  # schema with every UUID resolved, the finding says what happened, the
  # weak profile's exception is a risk with its deadline; JSON validates
  # against its own schema.
  V="$S/tests/oscal_validate.sh"
  verify 0 -p "$S/profiles/default.ini" --format oscal -o "$tmp/default.oscal.json"
  "$V" "$S/docs/oscal/schema/oscal_assessment-results_schema.json" "$tmp/default.oscal.json" ||
    fail "default.ini OSCAL does not validate"
  verify 1 -p "$S/tests/profiles/weak_network.ini" --format oscal -o "$tmp/weak.oscal.json"
  "$V" "$S/docs/oscal/schema/oscal_assessment-results_schema.json" "$tmp/weak.oscal.json" ||
    fail "weak_network.ini OSCAL does not validate"
  node -e '
    const fs = require("fs");
    const res = (f) => JSON.parse(fs.readFileSync(f, "utf8"))["assessment-results"].results[0];
    const state = (r) => r.findings[0].target.status.state;
    const ok = res(process.argv[1]), weak = res(process.argv[2]);
    const bad = [];
    if (state(ok) !== "satisfied") bad.push("default: finding " + state(ok));
    if (state(weak) !== "not-satisfied") bad.push("weak: finding " + state(weak));
    if ((ok.risks || []).length !== 0) bad.push("default: has risks");
    const risks = weak.risks || [];
    if (risks.length !== 1 || !String(risks[0].deadline).startsWith("2099-12-31"))
      bad.push("weak: want one risk due 2099-12-31, got " + JSON.stringify(risks.map((r) => r.deadline)));
    const tests = (r) => r.observations.filter((o) => o.methods.includes("TEST")).length;
    if (tests(ok) < 60) bad.push("default: " + tests(ok) + " TEST observations");
    if (bad.length) { console.error(bad.join("\n")); process.exit(1); }
  ' "$tmp/default.oscal.json" "$tmp/weak.oscal.json" || fail "OSCAL content"
  verify 0 -p "$S/profiles/default.ini" --format json -o "$tmp/default.json"
  "$V" "$S/docs/verify-json.schema.json" "$tmp/default.json" || fail "default.ini JSON does not validate"
  # The widening fixture: the layer that contained each probe, in both
  # machine formats, and both still validate.
  verify 1 -p "$S/tests/profiles/widen.ini" --format oscal -o "$tmp/widen.oscal.json"
  "$V" "$S/docs/oscal/schema/oscal_assessment-results_schema.json" "$tmp/widen.oscal.json" ||
    fail "widen.ini OSCAL does not validate"
  verify 1 -p "$S/tests/profiles/widen.ini" --format json -o "$tmp/widen.json"
  "$V" "$S/docs/verify-json.schema.json" "$tmp/widen.json" || fail "widen.ini JSON does not validate"
  node -e '
    const fs = require("fs");
    const oscal = JSON.parse(fs.readFileSync(process.argv[1], "utf8"))["assessment-results"].results[0];
    const json = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
    const bad = [];
    const prop = (o, n) => ((o.props || []).find((p) => p.name === n) || {}).value;
    const obs = (name) => oscal.observations.find((o) => prop(o, "probe") === name);
    const want = { "unshare-user": "userns-limit", "keyctl": "keyring", "open-root-dir": "landlock",
                   "kill-peer": "namespace", "open-etc-passwd": "empty-root", "execve-sh": "seccomp" };
    for (const [name, layer] of Object.entries(want)) {
      const o = obs(name), p = json.probes.find((x) => x.name === name);
      if (!o || prop(o, "contained-by") !== layer) bad.push("oscal " + name + ": " + (o && prop(o, "contained-by")));
      if (!p || p.contained_by !== layer) bad.push("json " + name + ": " + (p && p.contained_by));
    }
    const esc = json.probes.find((x) => x.verdict === "escaped");
    if (!esc || esc.contained_by !== null) bad.push("json: an escaped probe has contained_by " + (esc && esc.contained_by));
    if (bad.length) { console.error(bad.join("\n")); process.exit(1); }
  ' "$tmp/widen.oscal.json" "$tmp/widen.json" || fail "contained-by in OSCAL and JSON"
  ;;
fsdata)
  F="$S/tests/profiles/fsdata.ini"
  root=0; [ "$(id -u)" -eq 0 ] && root=1
  verify $((1 - root)) -p "$F"
  probes_ran
  out_has '^  mounts +OK +3 mounts: / tmpfs read-only, each data path, /tmp scratch, nothing else +3 mounts; .* 0 not declared'
  out_has '^  data-mount +OK +/usr/share/common-licenses: ro,nosuid,nodev,noexec, .*/usr/share/common-licenses: ro,nosuid,nodev,noexec[a-z,]*, same inode'
  out_has '^  scratch-mount +OK +/tmp tmpfs rw,nosuid,nodev,noexec size=1024k,mode=700,uid=[0-9]+ '
  out_has '^  root-entries +OK +only the first components of the data and scratch mounts +2 entries, 0 not declared'
  out_has '^  data-readable +OK .* data read \(a directory\)$'
  out_has '^  RLIMIT_FSIZE +OK +soft 1052672, hard 1052672 '
  out_has '^  landlock +OK .* 1 read-only rules, 1 scratch rule \(/tmp\) '
  out_has '^  data +data-write +CONTAINED +(ro-mount +blocked: EROFS|landlock +blocked: EACCES); data read'
  out_has '^  data +data-neighbours +CONTAINED +landlock +blocked: EACCES$'
  out_has '^  scratch +scratch-exec +CONTAINED +noexec-mount +blocked: EACCES$'
  out_has '^  scratch +scratch-mmap-exec +CONTAINED +seccomp +killed: VIOLATION mmap\(0x0, 4096, 0x5, '
  out_has '^  scratch +scratch-fill +CONTAINED +scratch-cap +blocked: ENOSPC after 1048576 bytes \(cap 1048576\)$'
  out_has '^  writes +write-tmp +CONTAINED +empty-root +blocked: ENOENT$'
  out_lacks ' (MISMATCH|ESCAPED|UNSUPPORTED|ERROR) '
  if [ $root -eq 1 ]; then
    out_has '^verdict: PASS - ([0-9]+)/\1 attestation items match, ([0-9]+)/\2 probes contained$'
    V="$S/tests/oscal_validate.sh"
    verify 0 -p "$F" --format json -o "$tmp/fsdata.json"
    "$V" "$S/docs/verify-json.schema.json" "$tmp/fsdata.json" || fail "fsdata.ini JSON does not validate"
    verify 0 -p "$F" --format oscal -o "$tmp/fsdata.oscal.json"
    "$V" "$S/docs/oscal/schema/oscal_assessment-results_schema.json" "$tmp/fsdata.oscal.json" ||
      fail "fsdata.ini OSCAL does not validate"
    node -e '
      const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
      const items = j.attestation.filter((a) => /^(data-mount|scratch-mount|data-readable)$/.test(a.item));
      const layers = j.probes.filter((p) => /^(data-|scratch-)/.test(p.name)).map((p) => p.contained_by);
      if (items.length !== 3 || items.some((a) => !a.ok)) { console.error(JSON.stringify(items)); process.exit(1); }
      if (layers.length !== 5 || layers.some((l) => !l)) { console.error(JSON.stringify(layers)); process.exit(1); }
    ' "$tmp/fsdata.json" || fail "fsdata.ini JSON: the mount items and probe layers"
  else
    out_has '^  bpf-loaded +UNVERIFIED '
    out_has '^verdict: FAIL - [0-9]+/[0-9]+ attestation items match \(1 unverified\), ([0-9]+)/\1 probes contained$'
  fi
  ;;
unprivileged)
  [ "$(id -u)" -ne 0 ] || { fail "run this mode through as_user.sh"; exit 1; }
  verify 1 -p "$S/profiles/default.ini"
  out_has '^  bpf-loaded +UNVERIFIED .*not readable without CAP_SYS_ADMIN'
  out_has '^verdict: FAIL - [0-9]+/[0-9]+ attestation items match \(1 unverified\), ([0-9]+)/\1 probes contained$'
  probes_ran
  out_lacks ' (MISMATCH|ESCAPED|UNSUPPORTED|ERROR) '
  # Workers that share the caller's uid cannot keep its keyrings out of
  # reach once the filter allows keyctl: refused, not run weaker.
  verify 2 -p "$S/tests/profiles/widen.ini"
  err_has 'the profile allows keyctl, but unprivileged workers share the caller.s uid and could reach its keyrings; run as root'
  ;;
*)
  fail "unknown mode $mode"
  ;;
esac
[ "$fails" -eq 0 ] || { echo "cli_verify $mode: $fails failure(s)" >&2; cat "$tmp/out" >&2; exit 1; }
echo "cli_verify $mode: ok"
