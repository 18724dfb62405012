/* caisson's commands, one file each (cmd_*.c). Each returns the process
 * exit status: 0 success, 1 some input failed, 2 usage or configuration. */
#ifndef CAISSON_CMD_H
#define CAISSON_CMD_H

int cmd_run(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_profile(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_fuzz(int argc, char **argv);
int cmd_serve(int argc, char **argv);

#endif
