# The plugin ELF reader (pure) and dependency resolver (reads files).
add_library(caisson_elf STATIC
    ${CMAKE_SOURCE_DIR}/supervisor/elf_parse.c
    ${CMAKE_SOURCE_DIR}/supervisor/elf_resolve.c)
target_include_directories(caisson_elf PUBLIC ${CAISSON_INCLUDE_DIRS})
target_compile_options(caisson_elf PRIVATE ${CAISSON_SAN_FLAGS})
target_link_options(caisson_elf INTERFACE ${CAISSON_SAN_FLAGS})
