// PETSc calls made directly (not through deal.II's wrappers) by the
// distributed solver: a non-zero PetscErrorCode becomes an exception that
// names the call.
#pragma once

#include <petscsys.h>

#include <stdexcept>
#include <string>

namespace otj
{
  inline void check_petsc(const PetscErrorCode ierr, const char *what)
  {
    if (ierr != 0)
      throw std::runtime_error(std::string("PETSc error in ") + what);
  }
} // namespace otj
