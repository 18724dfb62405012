# The plugin ELF reader (pure) and dependency resolver (reads files).
caisson_static_library(caisson_elf
    ${CMAKE_SOURCE_DIR}/supervisor/elf/elf_parse.c
    ${CMAKE_SOURCE_DIR}/supervisor/elf/elf_resolve.c
    ${CMAKE_SOURCE_DIR}/supervisor/elf/elf_trust.c)
