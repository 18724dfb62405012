# supervisor/evidence/: `caisson verify`'s evidence and its writers.
#
# caisson_verify_fmt: the JSON and OSCAL writers of a vf_report (verify.h).
# They call vf_report_passed, which the program linking them provides
# (verify.c).
caisson_static_library(caisson_verify_fmt
    ${CMAKE_SOURCE_DIR}/supervisor/evidence/json.c
    ${CMAKE_SOURCE_DIR}/supervisor/evidence/verify_fmt.c
    ${CMAKE_SOURCE_DIR}/supervisor/evidence/verify_json.c
    ${CMAKE_SOURCE_DIR}/supervisor/evidence/oscal.c
    ${CMAKE_SOURCE_DIR}/supervisor/evidence/verify_oscal.c)
target_link_libraries(caisson_verify_fmt PUBLIC caisson_policy)

# caisson_verify: the evidence collector and its text writer; the probe
# table is shared with worker/probes (caisson-probes.so).
caisson_static_library(caisson_verify
    ${CMAKE_SOURCE_DIR}/supervisor/evidence/verify.c
    ${CMAKE_SOURCE_DIR}/supervisor/evidence/verify_collect.c
    ${CMAKE_SOURCE_DIR}/supervisor/evidence/verify_attest.c
    ${CMAKE_SOURCE_DIR}/supervisor/evidence/verify_attest_fs.c
    ${CMAKE_SOURCE_DIR}/supervisor/evidence/verify_attest_mounts.c
    ${CMAKE_SOURCE_DIR}/supervisor/evidence/verify_attest_layers.c
    ${CMAKE_SOURCE_DIR}/supervisor/evidence/verify_bpf.c
    ${CMAKE_SOURCE_DIR}/supervisor/evidence/verify_probes.c
    ${CMAKE_SOURCE_DIR}/supervisor/evidence/verify_probes_fs.c
    ${CMAKE_SOURCE_DIR}/supervisor/evidence/verify_layer.c)
target_include_directories(caisson_verify PRIVATE ${CMAKE_SOURCE_DIR}/worker/probes)
target_compile_definitions(caisson_verify PRIVATE CAISSON_VERSION="${PROJECT_VERSION}")
target_link_libraries(caisson_verify PUBLIC caisson_sv caisson_dep_cap)
