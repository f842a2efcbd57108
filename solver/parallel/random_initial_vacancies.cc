// Random lateral modulation of the initial vacancies (see random_initial_vacancies.h).
#include "parallel/random_initial_vacancies.h"

namespace otj
{
  template <int dim>
  void apply_random_vacancy_factor(const DistributedDriftDiffusionSystem<dim> &system, const LognormalRandomField &field,
                                   DistributedVector &u)
  {
    const DeviceModel &d    = system.device();
    const double       film = d.film_thickness();
    const double       tol  = 1e-12 * d.total_thickness();
    for (unsigned int k = 0; k < system.n_locally_owned(); ++k)
      {
        if (!system.is_vacancy_local(k))
          continue;
        const auto &p     = system.support_point_local(k);
        const double depth = p[dim - 1];
        if (depth > film + tol)
          continue;
        if (depth < tol && d.top_vacancy_boundary == VacancyBoundary::reservoir)
          continue; // Dirichlet at the Pt contact
        u.local_element(k) *= field.factor(p);
      }
  }

  template void apply_random_vacancy_factor<2>(const DistributedDriftDiffusionSystem<2> &, const LognormalRandomField &,
                                               DistributedVector &);
  template void apply_random_vacancy_factor<3>(const DistributedDriftDiffusionSystem<3> &, const LognormalRandomField &,
                                               DistributedVector &);
} // namespace otj
