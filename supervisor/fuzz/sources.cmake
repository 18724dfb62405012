# supervisor/fuzz/: caisson fuzz's engine. caisson_fuzz_pure: mutators,
# dictionary, corpus features, SHA-1 (no I/O, unit-tested alone);
# caisson_fuzz: the corpus files, findings and the loop over a pool.
caisson_static_library(caisson_fuzz_pure
    ${CMAKE_SOURCE_DIR}/supervisor/fuzz/fz_mutate.c
    ${CMAKE_SOURCE_DIR}/supervisor/fuzz/fz_dict.c
    ${CMAKE_SOURCE_DIR}/supervisor/fuzz/fz_corpus.c
    ${CMAKE_SOURCE_DIR}/supervisor/fuzz/fz_sha1.c
    ${CMAKE_SOURCE_DIR}/supervisor/fuzz/fz_fold.c
    ${CMAKE_SOURCE_DIR}/supervisor/fuzz/fz_stack.c
    ${CMAKE_SOURCE_DIR}/supervisor/fuzz/fz_batch.c)
caisson_static_library(caisson_fuzz
    ${CMAKE_SOURCE_DIR}/supervisor/fuzz/fz_files.c
    ${CMAKE_SOURCE_DIR}/supervisor/fuzz/fz_engine.c
    ${CMAKE_SOURCE_DIR}/supervisor/fuzz/fz_judge.c
    ${CMAKE_SOURCE_DIR}/supervisor/fuzz/fz_minimize.c
    ${CMAKE_SOURCE_DIR}/supervisor/fuzz/fz_symbolize.c
    ${CMAKE_SOURCE_DIR}/supervisor/fuzz/fz_afl.c)
target_link_libraries(caisson_fuzz PUBLIC caisson_fuzz_pure caisson_sv)
