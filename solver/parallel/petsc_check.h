// PETSc calls made directly (not through deal.II's wrappers) by the
// distributed solver: a non-zero PetscErrorCode becomes an exception that
// names the call; DestroyOnExit frees a PETSc object when its scope is left,
// by a throw as well.
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

  /// Calls destroy(&object) when the scope is left (normally or by an
  /// exception) unless the object is null by then, e.g.
  /// `Vec v = nullptr; DestroyOnExit<Vec> guard(v, VecDestroy);`.
  template <typename T>
  class DestroyOnExit
  {
  public:
    DestroyOnExit(T &object, PetscErrorCode (*destroy)(T *)) : object_(object), destroy_(destroy) {}
    ~DestroyOnExit()
    {
      if (object_)
        destroy_(&object_);
    }
    DestroyOnExit(const DestroyOnExit &)            = delete;
    DestroyOnExit &operator=(const DestroyOnExit &) = delete;

  private:
    T &object_;
    PetscErrorCode (*destroy_)(T *);
  };
} // namespace otj
