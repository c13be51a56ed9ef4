#ifndef AUTHDECK_PROCESS_H
#define AUTHDECK_PROCESS_H

/// Marks the process non-dumpable (no core file, no ptrace attach by the user's other
/// processes) and sets its core-file limit to zero. prctl(2) is variadic, which Swift cannot
/// call, hence this one C function. Returns 0, or -1 when either call failed.
int authdeck_disable_core_dumps(void);

#endif
