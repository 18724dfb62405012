# supervisor/policy.cmake: profiles, the syscall vocabulary, the lint and
# the seccomp policy (caisson_policy), plus the pure helpers they use
# (units, SHA-256, the BPF interpreter). Supervisor-side only.
caisson_static_library(caisson_policy
    ${CMAKE_SOURCE_DIR}/supervisor/units.c
    ${CMAKE_SOURCE_DIR}/supervisor/sha256.c
    ${CMAKE_SOURCE_DIR}/supervisor/bpf_eval.c
    ${CMAKE_SOURCE_DIR}/supervisor/sysgroups.c
    ${CMAKE_SOURCE_DIR}/supervisor/profile.c
    ${CMAKE_SOURCE_DIR}/supervisor/profile_keys.c
    ${CMAKE_SOURCE_DIR}/supervisor/profile_exc.c
    ${CMAKE_SOURCE_DIR}/supervisor/lint.c
    ${CMAKE_SOURCE_DIR}/supervisor/policy.c)
target_link_libraries(caisson_policy PUBLIC PkgConfig::SECCOMP PkgConfig::INIH)
