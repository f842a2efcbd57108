// Checks, when an input file is read, that an output directory it names can
// be created and written (SPEC 9: bad input is reported before any
// computation, naming the file and the parameter). The check tries it: the
// missing part of the path is created and removed again, and a probe file is
// written and removed in the directory (permission bits alone do not tell for
// root, nor for /proc and read-only mounts). Nothing is left behind. Under MPI
// let one rank call it: ranks creating and removing the same directories at
// once would race.
#pragma once

#include "common/input_error.h"

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

namespace otj
{
  /// Throws InputError naming `file` and `parameter` if `directory` cannot be
  /// created or written.
  inline void check_output_directory(const std::string &directory, const std::string &file,
                                     const std::string &parameter)
  {
    namespace fs = std::filesystem;
    auto bad     = [&](const std::string &why) {
      throw_bad_parameter(file, parameter, "'" + directory + "'",
                          "a directory that can be created and written (" + why + ")");
    };
    if (directory.empty())
      bad("the name is empty");
    std::error_code ec;
    fs::path        p = fs::absolute(fs::path(directory), ec).lexically_normal();
    if (ec)
      bad(ec.message());
    if (!p.has_filename() && p.has_parent_path())
      p = p.parent_path(); // a trailing '/'
    // the missing directories, deepest first
    std::vector<fs::path> missing;
    fs::path              existing = p;
    // symlink_status: a dangling link counts as existing (and then as not a
    // directory): it is never taken for a missing part and removed
    while (!fs::exists(fs::symlink_status(existing, ec)))
      {
        missing.push_back(existing);
        if (!existing.has_parent_path() || existing.parent_path() == existing)
          bad("no part of the path exists");
        existing = existing.parent_path();
      }
    if (!fs::is_directory(existing, ec))
      bad("'" + existing.string() + "' is not a directory");
    fs::create_directories(p, ec);
    if (ec)
      {
        const std::string why = ec.message();
        for (const auto &m : missing)
          fs::remove(m, ec); // whatever was made (removes empty directories only)
        bad("creating '" + p.string() + "': " + why);
      }
    // a probe file with a unique name (mkstemp: no clash between processes or hosts)
    std::string probe = (p / ".otj-write-probe-XXXXXX").string();
    const int   fd    = ::mkstemp(probe.data());
    bool        ok    = fd >= 0;
    if (ok)
      {
        ok = ::write(fd, "probe", 5) == 5;
        ::close(fd);
        ok = fs::remove(probe, ec) && ok;
      }
    for (const auto &m : missing) // deepest first: the directories made for the check
      fs::remove(m, ec);
    if (!ok)
      bad("'" + p.string() + "' is not writable");
  }
} // namespace otj
