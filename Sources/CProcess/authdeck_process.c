#include "authdeck_process.h"

#include <sys/prctl.h>
#include <sys/resource.h>

int authdeck_disable_core_dumps(void) {
  struct rlimit none = {0, 0};
  int result = setrlimit(RLIMIT_CORE, &none);
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) result = -1;
  return result;
}
