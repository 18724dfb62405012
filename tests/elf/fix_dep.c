/* ELF test fixture: a library found only through $ORIGIN/sub. */
int fix_dep_value(void) { return 42; }
