#ifndef AUTHDECK_PROCESS_H
#define AUTHDECK_PROCESS_H

/// Marks the process non-dumpable (no core file, no ptrace attach by the user's other
/// processes) and sets its core-file limit to zero. prctl(2) is variadic, which Swift cannot
/// call, hence this one C function. Returns 0, or -1 when either call failed.
int authdeck_disable_core_dumps(void);

/// accept(2) with the new descriptor close-on-exec from the start (accept4, a GNU call Swift's
/// Glibc module does not show). Returns the descriptor, or -1 with errno set.
int authdeck_accept_cloexec(int fd);

/// The connected peer's process, user and group (SO_PEERCRED; struct ucred is a GNU one).
/// Returns 0, or -1 with errno set.
int authdeck_peer_credentials(int fd, int *pid, unsigned int *uid, unsigned int *gid);

/// POLLRDHUP, the peer's half-close, for poll(2) (a GNU flag as well).
int authdeck_pollrdhup(void);

#endif
