// The program version written into every JSON summary and record (provenance)
// and printed by `otj --version`: `git describe --always --dirty` of the
// source tree at build time (solver/common/git_version.cmake). Only
// common/version.cc sees the string, so a new commit recompiles one file
// instead of every translation unit.
#pragma once

namespace otj
{
  const char *program_version();
} // namespace otj
