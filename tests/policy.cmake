# Tests of caisson_policy: units, SHA-256, profile parsing and lint, and the
# compiled seccomp filter evaluated with bpf_eval. Included from
# tests/CMakeLists.txt; test profiles live in tests/profiles/.
foreach(t test_units test_sha256 test_profile test_policy)
  add_executable(${t} ${CMAKE_SOURCE_DIR}/tests/${t}.c)
  target_include_directories(${t} PRIVATE ${CAISSON_INCLUDE_DIRS} ${CMAKE_SOURCE_DIR}/tests)
  target_compile_definitions(${t} PRIVATE
      CAISSON_SOURCE_DIR="${CMAKE_SOURCE_DIR}" CAISSON_TEST_TMP="${CMAKE_CURRENT_BINARY_DIR}")
  target_compile_options(${t} PRIVATE ${CAISSON_SAN_FLAGS})
  target_link_options(${t} PRIVATE ${CAISSON_SAN_FLAGS})
  target_link_libraries(${t} PRIVATE caisson_policy)
  add_test(NAME ${t} COMMAND ${t})
endforeach()

if(CAISSON_FUZZ)
  add_executable(fuzz_profile ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_profile.c
      ${CMAKE_SOURCE_DIR}/supervisor/policy/units.c
      ${CMAKE_SOURCE_DIR}/supervisor/policy/sysgroups.c
      ${CMAKE_SOURCE_DIR}/supervisor/policy/argrules.c
      ${CMAKE_SOURCE_DIR}/supervisor/policy/profile_args.c
      ${CMAKE_SOURCE_DIR}/supervisor/policy/ini_lines.c
      ${CMAKE_SOURCE_DIR}/supervisor/policy/profile.c
      ${CMAKE_SOURCE_DIR}/supervisor/policy/profile_parse.c
      ${CMAKE_SOURCE_DIR}/supervisor/policy/profile_keys.c
      ${CMAKE_SOURCE_DIR}/supervisor/policy/profile_exc.c
      ${CMAKE_SOURCE_DIR}/supervisor/policy/lint.c
      ${CMAKE_SOURCE_DIR}/supervisor/policy/profile_load.c)
  target_include_directories(fuzz_profile PRIVATE ${CAISSON_INCLUDE_DIRS})
  target_compile_options(fuzz_profile PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(fuzz_profile PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(fuzz_profile PRIVATE PkgConfig::SECCOMP PkgConfig::INIH)
endif()
