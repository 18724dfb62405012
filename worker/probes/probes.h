/* The containment battery of `caisson verify`, in one table shared by the
 * probe plugin (caisson_probes.c, which runs each probe inside a sandboxed
 * worker) and the supervisor (verify_probes.c, which names, sends and judges
 * them). Pure data, no code.
 *   X(id, name, category, kind, attempt)
 * kind PROBE_PLAIN: contained only when killed (VIOLATION) or the answer is
 * "blocked ...". PROBE_BOUNDED: a bomb, also contained when the supervisor
 * stops it at a limit (CPU_LIMIT, MEMORY_LIMIT, OUTPUT_LIMIT, TIMEOUT).
 * PROBE_PROTOCOL: an attack on the broker over the IPC socket, contained
 * when the supervisor kills the worker with PROTOCOL_ERROR.
 * The request is one line: "NAME key=value ..." (see caisson_probes.c); the
 * answer is "blocked ERRNO[ detail]", "escaped WHAT" or "unsupported WHY",
 * one printable line of at most PROBE_ANSWER_MAX bytes (the last line of
 * the output, for a probe that writes more before it). */
#ifndef CAISSON_PROBES_H
#define CAISSON_PROBES_H

#define PROBE_PLAIN 0
#define PROBE_BOUNDED 1
#define PROBE_PROTOCOL 2
#define PROBE_ANSWER_MAX 240

#define PROBES(X) \
	X(open_etc_passwd, "open-etc-passwd", "files", PROBE_PLAIN, "openat(\"/etc/passwd\", O_RDONLY)") \
	X(open_etc_shadow, "open-etc-shadow", "files", PROBE_PLAIN, "openat(\"/etc/shadow\", O_RDONLY)") \
	X(open_root_dir, "open-root-dir", "files", PROBE_PLAIN, "open \"/\" as a directory and list it") \
	X(openat2_passwd, "openat2-etc-passwd", "files", PROBE_PLAIN, "openat2(\"/etc/passwd\", O_RDONLY)") \
	X(open_proc_self_status, "open-proc-self-status", "files", PROBE_PLAIN, "openat(\"/proc/self/status\")") \
	X(open_proc_self_mem, "open-proc-self-mem", "files", PROBE_PLAIN, "openat(\"/proc/self/mem\", O_RDWR)") \
	X(open_proc_1_environ, "open-proc-1-environ", "files", PROBE_PLAIN, "openat(\"/proc/1/environ\")") \
	X(open_proc_1_root, "open-proc-1-root", "files", PROBE_PLAIN, "openat(\"/proc/1/root/etc/passwd\")") \
	X(open_sys, "open-sys", "files", PROBE_PLAIN, "openat(\"/sys/kernel/notes\")") \
	X(open_dev_mem, "open-dev-mem", "files", PROBE_PLAIN, "openat(\"/dev/mem\", O_RDONLY)") \
	X(open_dev_kmsg, "open-dev-kmsg", "files", PROBE_PLAIN, "openat(\"/dev/kmsg\", O_RDONLY)") \
	X(open_dev_tty, "open-dev-tty", "files", PROBE_PLAIN, "openat(\"/dev/tty\", O_RDWR)") \
	X(open_plugin, "open-plugin-file", "files", PROBE_PLAIN, "openat(the probe plugin's own path) once sealed") \
	X(stat_etc_passwd, "stat-etc-passwd", "files", PROBE_PLAIN, "newfstatat(\"/etc/passwd\")") \
	X(readlink_exe, "readlink-proc-self-exe", "files", PROBE_PLAIN, "readlinkat(\"/proc/self/exe\")") \
	X(open_by_handle, "name-to-handle", "files", PROBE_PLAIN, "name_to_handle_at(\"/\") (bypass paths)") \
	X(create_file, "create-file", "writes", PROBE_PLAIN, "openat(\"/caisson-probe\", O_CREAT|O_WRONLY)") \
	X(write_tmp, "write-tmp", "writes", PROBE_PLAIN, "openat(\"/tmp/caisson-probe\" (with scratch: /var/tmp/), O_CREAT|O_WRONLY) and write") \
	X(data_write, "data-write", "data", PROBE_PLAIN, "openat(a data path, O_WRONLY|O_CREAT), then read the data") \
	X(data_neighbours, "data-neighbours", "data", PROBE_PLAIN, "list the directory holding a data path") \
	X(scratch_exec, "scratch-exec", "scratch", PROBE_PLAIN, "execve(a file written on scratch)") \
	X(scratch_mmap_exec, "scratch-mmap-exec", "scratch", PROBE_PLAIN, "mmap(a file written on scratch, PROT_READ|PROT_EXEC)") \
	X(scratch_fill, "scratch-fill", "scratch", PROBE_PLAIN, "write to scratch past its cap") \
	X(creat_file, "creat-file", "writes", PROBE_PLAIN, "creat(\"/caisson-probe\")") \
	X(mkdir_root, "mkdir", "writes", PROBE_PLAIN, "mkdirat(\"/caisson-probe-dir\")") \
	X(rename_root, "rename", "writes", PROBE_PLAIN, "renameat2(\"/caisson-a\", \"/caisson-b\")") \
	X(link_root, "link", "writes", PROBE_PLAIN, "linkat(\"/caisson-a\", \"/caisson-b\")") \
	X(symlink_root, "symlink", "writes", PROBE_PLAIN, "symlinkat(\"/etc/passwd\", \"/caisson-link\")") \
	X(truncate_root, "truncate", "writes", PROBE_PLAIN, "truncate(\"/caisson-probe\", 0)") \
	X(mknod_root, "mknod", "writes", PROBE_PLAIN, "mknodat(\"/caisson-null\", char device 1:3)") \
	X(chmod_root, "chmod-root", "writes", PROBE_PLAIN, "fchmodat(\"/\", 0777)") \
	X(execve_sh, "execve-sh", "exec", PROBE_PLAIN, "execve(\"/bin/sh\", [\"sh\", \"-c\", \"exit 0\"])") \
	X(execveat_sh, "execveat-sh", "exec", PROBE_PLAIN, "execveat(AT_FDCWD, \"/bin/sh\")") \
	X(memfd_exec, "memfd-fexecve", "exec", PROBE_PLAIN, "memfd_create, then execveat(memfd, \"\", AT_EMPTY_PATH)") \
	X(mmap_exec, "mmap-exec", "exec", PROBE_PLAIN, "mmap(PROT_READ|PROT_EXEC, anonymous)") \
	X(mmap_wx, "mmap-write-exec", "exec", PROBE_PLAIN, "mmap(PROT_WRITE|PROT_EXEC, anonymous)") \
	X(mprotect_exec, "mprotect-exec", "exec", PROBE_PLAIN, "mprotect(heap page, PROT_READ|PROT_EXEC)") \
	X(pkey_mprotect_exec, "pkey-mprotect-exec", "exec", PROBE_PLAIN, "pkey_mprotect(page, PROT_EXEC, -1)") \
	X(personality, "personality", "exec", PROBE_PLAIN, "personality(READ_IMPLIES_EXEC)") \
	X(socket_inet, "socket-inet", "network", PROBE_PLAIN, "socket(AF_INET, SOCK_STREAM)") \
	X(socket_inet_raw, "socket-inet-raw", "network", PROBE_PLAIN, "socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)") \
	X(socket_inet6, "socket-inet6", "network", PROBE_PLAIN, "socket(AF_INET6, SOCK_DGRAM)") \
	X(socket_unix, "socket-unix", "network", PROBE_PLAIN, "socket(AF_UNIX, SOCK_STREAM)") \
	X(socket_netlink, "socket-netlink", "network", PROBE_PLAIN, "socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE)") \
	X(socket_packet, "socket-packet", "network", PROBE_PLAIN, "socket(AF_PACKET, SOCK_RAW)") \
	X(socket_vsock, "socket-vsock", "network", PROBE_PLAIN, "socket(AF_VSOCK, SOCK_STREAM)") \
	X(socket_alg, "socket-alg", "network", PROBE_PLAIN, "socket(AF_ALG, SOCK_SEQPACKET)") \
	X(socket_bluetooth, "socket-bluetooth", "network", PROBE_PLAIN, "socket(AF_BLUETOOTH, SOCK_RAW)") \
	X(socket_any, "socket-any-family", "network", PROBE_PLAIN, "socket() for every family 0..63 and type stream/dgram/seqpacket/raw") \
	X(connect_loopback, "connect-loopback", "network", PROBE_PLAIN, "TCP connect to the supervisor's listener on 127.0.0.1") \
	X(connect_abstract, "connect-abstract-unix", "network", PROBE_PLAIN, "connect to the supervisor's abstract UNIX socket") \
	X(socketpair_unix, "socketpair", "network", PROBE_PLAIN, "socketpair(AF_UNIX, SOCK_STREAM)") \
	X(sysv_shm, "sysv-shm", "ipc", PROBE_PLAIN, "shmget(IPC_PRIVATE, 4096)") \
	X(sysv_msg, "sysv-msg", "ipc", PROBE_PLAIN, "msgget(IPC_PRIVATE)") \
	X(sysv_sem, "sysv-sem", "ipc", PROBE_PLAIN, "semget(IPC_PRIVATE, 1)") \
	X(posix_shm, "posix-shm", "ipc", PROBE_PLAIN, "shm_open: openat(\"/dev/shm/caisson-probe\", O_CREAT|O_RDWR)") \
	X(posix_mq, "posix-mqueue", "ipc", PROBE_PLAIN, "mq_open(\"caisson-probe\", O_CREAT)") \
	X(kill_supervisor, "kill-supervisor", "signals", PROBE_PLAIN, "kill(supervisor pid, 0)") \
	X(kill_peer, "kill-peer", "signals", PROBE_PLAIN, "kill(another worker's pid, 0)") \
	X(kill_all, "kill-broadcast", "signals", PROBE_PLAIN, "kill(-1, 0)") \
	X(tgkill_supervisor, "tgkill-supervisor", "signals", PROBE_PLAIN, "tgkill(supervisor pid, supervisor pid, 0)") \
	X(sigqueue_supervisor, "sigqueue-supervisor", "signals", PROBE_PLAIN, "rt_sigqueueinfo(supervisor pid, 0)") \
	X(pidfd_signal_peer, "pidfd-signal-peer", "signals", PROBE_PLAIN, "pidfd_open(another worker) + pidfd_send_signal(0)") \
	X(ptrace_supervisor, "ptrace-supervisor", "ptrace", PROBE_PLAIN, "ptrace(PTRACE_SEIZE, supervisor pid)") \
	X(ptrace_peer, "ptrace-peer", "ptrace", PROBE_PLAIN, "ptrace(PTRACE_SEIZE, another worker's pid)") \
	X(ptrace_traceme, "ptrace-traceme", "ptrace", PROBE_PLAIN, "ptrace(PTRACE_TRACEME)") \
	X(vm_readv_supervisor, "process-vm-readv-supervisor", "ptrace", PROBE_PLAIN, "process_vm_readv(supervisor pid, an unmapped address)") \
	X(vm_readv_peer, "process-vm-readv-peer", "ptrace", PROBE_PLAIN, "process_vm_readv(another worker's pid)") \
	X(pidfd_getfd_peer, "pidfd-getfd-peer", "ptrace", PROBE_PLAIN, "pidfd_open(another worker) + pidfd_getfd(its IPC fd)") \
	X(kcmp_supervisor, "kcmp-supervisor", "ptrace", PROBE_PLAIN, "kcmp(self, supervisor pid, KCMP_VM)") \
	X(mount_tmpfs, "mount", "mount", PROBE_PLAIN, "mount(\"none\", \"/\", \"tmpfs\")") \
	X(umount_root, "umount2", "mount", PROBE_PLAIN, "umount2(\"/\", MNT_DETACH)") \
	X(pivot_root, "pivot-root", "mount", PROBE_PLAIN, "pivot_root(\"/\", \"/\")") \
	X(chroot_root, "chroot", "mount", PROBE_PLAIN, "chroot(\"/\")") \
	X(fsopen_tmpfs, "fsopen", "mount", PROBE_PLAIN, "fsopen(\"tmpfs\") (new mount API)") \
	X(open_tree_root, "open-tree", "mount", PROBE_PLAIN, "open_tree(\"/\", OPEN_TREE_CLONE)") \
	X(swapon, "swapon", "mount", PROBE_PLAIN, "swapon(\"/caisson-swap\")") \
	X(unshare_user, "unshare-user", "namespaces", PROBE_PLAIN, "unshare(CLONE_NEWUSER)") \
	X(unshare_net, "unshare-net", "namespaces", PROBE_PLAIN, "unshare(CLONE_NEWNET)") \
	X(clone_newuser, "clone-newuser", "namespaces", PROBE_PLAIN, "clone(CLONE_NEWUSER|SIGCHLD)") \
	X(clone3_ns, "clone3-namespaces", "namespaces", PROBE_PLAIN, "clone3(CLONE_NEWUSER|CLONE_NEWNS|CLONE_NEWNET)") \
	X(setns_fd, "setns", "namespaces", PROBE_PLAIN, "setns(fd 3, CLONE_NEWNET)") \
	X(bpf_map, "bpf", "kernel", PROBE_PLAIN, "bpf(BPF_MAP_CREATE, array)") \
	X(perf_event, "perf-event-open", "kernel", PROBE_PLAIN, "perf_event_open(software CPU clock, self)") \
	X(io_uring, "io-uring-setup", "kernel", PROBE_PLAIN, "io_uring_setup(8 entries)") \
	X(userfaultfd, "userfaultfd", "kernel", PROBE_PLAIN, "userfaultfd(O_CLOEXEC)") \
	X(keyctl, "keyctl", "keyrings", PROBE_PLAIN, "keyctl: own session keyring, then DESCRIBE the invoking user's session and user keyrings") \
	X(add_key, "add-key", "keyrings", PROBE_PLAIN, "add_key(\"user\", \"caisson-probe\") into the invoking user's session keyring") \
	X(ioperm, "ioperm", "kernel", PROBE_PLAIN, "ioperm(0x80, 1, 1)") \
	X(iopl, "iopl", "kernel", PROBE_PLAIN, "iopl(3)") \
	X(tiocsti, "tiocsti", "kernel", PROBE_PLAIN, "ioctl(2, TIOCSTI, \"x\")") \
	X(finit_module, "finit-module", "kernel", PROBE_PLAIN, "finit_module(fd 3)") \
	X(syslog, "syslog", "kernel", PROBE_PLAIN, "syslog(SYSLOG_ACTION_SIZE_BUFFER)") \
	X(seccomp_change, "seccomp", "kernel", PROBE_PLAIN, "seccomp(SECCOMP_GET_ACTION_AVAIL)") \
	X(fanotify, "fanotify", "kernel", PROBE_PLAIN, "fanotify_init(FAN_CLASS_NOTIF)") \
	X(sethostname, "sethostname", "kernel", PROBE_PLAIN, "sethostname(\"caisson-probe\")") \
	X(ia32_int80, "ia32-int80", "arch", PROBE_PLAIN, "getpid through the ia32 entry point (int 0x80)") \
	X(x32_syscall, "x32-syscall", "arch", PROBE_PLAIN, "getpid through the x32 ABI (nr | 0x40000000)") \
	X(setuid_0, "setuid-0", "credentials", PROBE_PLAIN, "setuid(0)") \
	X(setgid_0, "setgid-0", "credentials", PROBE_PLAIN, "setgid(0)") \
	X(setgroups_0, "setgroups", "credentials", PROBE_PLAIN, "setgroups(1, [0])") \
	X(capset_all, "capset", "credentials", PROBE_PLAIN, "capset(every capability)") \
	X(prlimit_nofile, "prlimit-nofile", "limits", PROBE_PLAIN, "prlimit64(RLIMIT_NOFILE, 1048576)") \
	X(prlimit_as, "prlimit-as", "limits", PROBE_PLAIN, "prlimit64(RLIMIT_AS, unlimited)") \
	X(setrlimit_cpu, "setrlimit-cpu", "limits", PROBE_PLAIN, "setrlimit(RLIMIT_CPU, unlimited)") \
	X(setpriority, "setpriority", "limits", PROBE_PLAIN, "setpriority(PRIO_PROCESS, 0, -20)") \
	X(mlock, "mlock", "limits", PROBE_PLAIN, "mlock(one page) under RLIMIT_MEMLOCK 0") \
	X(fork_bomb, "fork-bomb", "bombs", PROBE_BOUNDED, "fork() up to 64 times") \
	X(vfork_bomb, "vfork-bomb", "bombs", PROBE_BOUNDED, "vfork() up to 64 times") \
	X(clone_bomb, "clone-bomb", "bombs", PROBE_BOUNDED, "clone(SIGCHLD) up to 64 times") \
	X(memory_bomb, "memory-bomb", "bombs", PROBE_BOUNDED, "allocate and touch memory up to twice the limit") \
	X(fd_bomb, "fd-bomb", "bombs", PROBE_BOUNDED, "dup() until EMFILE, at most 4096 times") \
	X(output_bomb, "output-bomb", "bombs", PROBE_BOUNDED, "write output up to twice the limit") \
	X(cpu_spin, "cpu-spin", "bombs", PROBE_BOUNDED, "spin on the CPU for twice the CPU limit") \
	X(env_leak, "environment", "leaks", PROBE_PLAIN, "read environ: must be empty") \
	X(fd_leak, "descriptors", "leaks", PROBE_PLAIN, "probe fds 0..1023 (mmap, EBADF = closed): only 2 and 3 open") \
	X(ipc_garbage, "ipc-garbage", "broker", PROBE_PROTOCOL, "write 64 garbage bytes on the IPC socket") \
	X(ipc_fd_smuggle, "ipc-fd-smuggle", "broker", PROBE_PROTOCOL, "send an OUTPUT-shaped message carrying an fd (SCM_RIGHTS)")

#endif
