// Atomic file writing (see atomic_file.h).
#include "output/atomic_file.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace otj
{
  namespace fs = std::filesystem;

  void write_atomically(const std::string &path, const std::function<void(std::ostream &)> &write)
  {
    const fs::path p(path);
    if (p.has_parent_path())
      fs::create_directories(p.parent_path());
    const std::string tmp = path + ".tmp." + std::to_string(::getpid());
    {
      std::ofstream out(tmp, std::ios::binary);
      if (!out)
        throw std::runtime_error("cannot write " + tmp);
      write(out);
      out.flush();
      if (!out)
        {
          out.close();
          fs::remove(tmp);
          throw std::runtime_error("write error on " + tmp);
        }
    }
    fs::rename(tmp, p);
  }
} // namespace otj
