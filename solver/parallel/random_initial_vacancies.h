// Laterally inhomogeneous as-grown states of the distributed system (SPEC
// section 4): the vacancy densities of the film (the layers above the
// substrate, depth < DeviceModel::film_thickness()) multiplied by a
// log-normal random field of the lateral coordinates
// (device/lognormal_random_field.h). The substrate keeps its density, and
// Dirichlet (reservoir) contact values are left as they are.
#pragma once

#include "device/lognormal_random_field.h"
#include "parallel/distributed_drift_diffusion_system.h"

namespace otj
{
  /// u: a state of `system` (e.g. from initial_state()); its film vacancy
  /// densities are multiplied by field.factor(x) at their support points.
  template <int dim>
  void apply_random_vacancy_factor(const DistributedDriftDiffusionSystem<dim> &system, const LognormalRandomField &field,
                                   DistributedVector &u);
} // namespace otj
