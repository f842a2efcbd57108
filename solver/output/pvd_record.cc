// PVD time-series record (see pvd_record.h).
#include "output/pvd_record.h"

#include "output/atomic_file.h"

#include <deal.II/base/data_out_base.h>

namespace otj
{
  void PvdRecord::add(const double time, const std::string &relative_file)
  {
    entries_.emplace_back(time, relative_file);
    write_atomically(path_, [&](std::ostream &out) { dealii::DataOutBase::write_pvd_record(out, entries_); });
  }
} // namespace otj
