/* Small helpers shared by the command-line tools. */
#ifndef DLC_TOOLS_CLI_H
#define DLC_TOOLS_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "dlc/codegen.h"
#include "dlc/ops.h"

struct dlc_diag;

/* "--name=value" -> "value"; NULL if arg is not that option. */
const char *dlc_cli_value(const char *arg, const char *name);
/* "-O0".."-O3": stores the level and returns true. */
bool dlc_cli_opt_level(const char *arg, int *level);
/* Writes data to path ("-" or NULL: stdout). Reports and returns -1. */
int dlc_cli_write(struct dlc_diag *d, const char *path, const char *data, size_t len);
/* --cpu=native|x86-64-v4|x86-64-v3|generic and --kernels=fast|naive:
 * 1 if arg is one of them (stored in k), 0 if not, -1 after reporting. */
int dlc_cli_kernel_opt(const char *arg, struct dlc_kernel_opts *k, struct dlc_diag *d);
/* "auto", "embed", "file" -> the mode; -1 for anything else. */
int dlc_cli_weights_mode(const char *s, enum dlc_weights_mode *mode);
/* --max-import-bytes=N: a byte count in [1, 2^50]; -1 if malformed. */
int dlc_cli_bytes(const char *s, size_t *out);
/* "yes"/"no" for an op on a target ("c", "cuda") or in autodiff ("grad"). */
const char *dlc_cli_op_support(enum dlc_op op, const char *what);

#endif
