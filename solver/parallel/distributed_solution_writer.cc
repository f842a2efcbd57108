// PVTU / PVD output of distributed states (see distributed_solution_writer.h).
#include "parallel/distributed_solution_writer.h"

#include "output/derived_fields.h"

#include <deal.II/base/mpi.h>
#include <deal.II/numerics/data_out.h>

#include <filesystem>

namespace otj
{
  using namespace dealii;

  template <int dim>
  DistributedSolutionWriter<dim>::DistributedSolutionWriter(const DistributedDriftDiffusionSystem<dim> &system,
                                                            std::string directory, std::string basename)
    : system_(system), directory_(std::move(directory)), basename_(std::move(basename))
  {
    if (Utilities::MPI::this_mpi_process(system_.mpi_communicator()) == 0)
      {
        std::filesystem::create_directories(directory_ + "/vtu");
        pvd_ = std::make_unique<PvdRecord>(directory_ + "/" + basename_ + ".pvd");
      }
    MPI_Barrier(system_.mpi_communicator());
  }

  template <int dim>
  std::string DistributedSolutionWriter<dim>::write(const DistributedVector &u, const double time,
                                                    const double applied_voltage)
  {
    DistributedVector ghosted;
    ghosted.reinit(system_.locally_owned_dofs(), system_.locally_relevant_dofs(), system_.mpi_communicator());
    for (unsigned int k = 0; k < system_.n_locally_owned(); ++k)
      ghosted.local_element(k) = u.local_element(k);
    ghosted.update_ghost_values();

    DerivedFields<dim> derived(system_.device(), system_.concentration_scale(), applied_voltage);
    DataOut<dim>       data_out;
    data_out.attach_dof_handler(system_.dof_handler());
    data_out.add_data_vector(ghosted, derived);
    const auto &  tria = system_.dof_handler().get_triangulation();
    Vector<float> material(tria.n_active_cells()), rank(tria.n_active_cells());
    for (const auto &cell : tria.active_cell_iterators())
      if (cell->is_locally_owned())
        {
          material[cell->active_cell_index()] = cell->material_id();
          rank[cell->active_cell_index()]     = cell->subdomain_id();
        }
    data_out.add_data_vector(material, "material_id", DataOut<dim>::type_cell_data);
    data_out.add_data_vector(rank, "mpi_rank", DataOut<dim>::type_cell_data);
    data_out.build_patches();
    data_out.set_flags(DataOutBase::VtkFlags(time, cycle_));
    const std::string pvtu = data_out.write_vtu_with_pvtu_record(directory_ + "/vtu/", basename_, cycle_,
                                                                 system_.mpi_communicator(), 5);
    ++cycle_;
    if (pvd_)
      pvd_->add(time, "vtu/" + pvtu);
    return "vtu/" + pvtu;
  }

  template class DistributedSolutionWriter<2>;
  template class DistributedSolutionWriter<3>;
} // namespace otj
