// See version.h; OTJ_GIT_VERSION comes from the header generated at every build
// (solver/common/git_version.cmake), seen by this file alone.
#include "common/version.h"

#include "otj_git_version.h"

namespace otj
{
  const char *program_version() { return OTJ_GIT_VERSION; }
} // namespace otj
