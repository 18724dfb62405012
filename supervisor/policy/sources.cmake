# supervisor/policy/: profiles, the syscall vocabulary, the lint and
# the seccomp policy (caisson_policy), plus the pure helpers they use
# (units, SHA-256, the BPF interpreter, the syscall formatter). Supervisor-side only.
caisson_static_library(caisson_policy
    ${CMAKE_SOURCE_DIR}/supervisor/policy/units.c
    ${CMAKE_SOURCE_DIR}/supervisor/policy/sha256.c
    ${CMAKE_SOURCE_DIR}/supervisor/policy/bpf_eval.c
    ${CMAKE_SOURCE_DIR}/supervisor/policy/sysgroups.c
    ${CMAKE_SOURCE_DIR}/supervisor/policy/argrules.c
    ${CMAKE_SOURCE_DIR}/supervisor/policy/ini_lines.c
    ${CMAKE_SOURCE_DIR}/supervisor/policy/profile.c
    ${CMAKE_SOURCE_DIR}/supervisor/policy/profile_parse.c
    ${CMAKE_SOURCE_DIR}/supervisor/policy/profile_keys.c
    ${CMAKE_SOURCE_DIR}/supervisor/policy/profile_exc.c
    ${CMAKE_SOURCE_DIR}/supervisor/policy/profile_args.c
    ${CMAKE_SOURCE_DIR}/supervisor/policy/lint.c
    ${CMAKE_SOURCE_DIR}/supervisor/policy/lint_data.c
    ${CMAKE_SOURCE_DIR}/supervisor/policy/profile_load.c
    ${CMAKE_SOURCE_DIR}/supervisor/policy/policy.c
    ${CMAKE_SOURCE_DIR}/supervisor/policy/sysfmt.c)
target_link_libraries(caisson_policy PUBLIC caisson_dep_seccomp caisson_dep_inih)
