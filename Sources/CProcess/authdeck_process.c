#define _GNU_SOURCE
#include "authdeck_process.h"

#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <poll.h>
#include <stddef.h>

int authdeck_disable_core_dumps(void) {
  struct rlimit none = {0, 0};
  int result = setrlimit(RLIMIT_CORE, &none);
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) result = -1;
  return result;
}

int authdeck_accept_cloexec(int fd) { return accept4(fd, NULL, NULL, SOCK_CLOEXEC); }

int authdeck_peer_credentials(int fd, int *pid, unsigned int *uid, unsigned int *gid) {
  struct ucred credentials;
  socklen_t length = sizeof credentials;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0) return -1;
  *pid = credentials.pid;
  *uid = credentials.uid;
  *gid = credentials.gid;
  return 0;
}

int authdeck_pollrdhup(void) { return POLLRDHUP; }
