// See version.h; OTJ_GIT_VERSION is defined for this file alone (solver/CMakeLists.txt).
#include "common/version.h"

namespace otj
{
  const char *program_version() { return OTJ_GIT_VERSION; }
} // namespace otj
