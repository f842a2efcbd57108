// Reading gmsh meshes of the device (see gmsh_mesh.h).
#include "mesh/gmsh_mesh.h"

#include "common/input_error.h"

#include <deal.II/grid/grid_in.h>
#include <deal.II/grid/grid_tools.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

namespace otj
{
  using namespace dealii;

  namespace
  {
    const std::map<std::string, types::material_id> &material_names()
    {
      static const std::map<std::string, types::material_id> m{{"top_interface", ids::top_interface},
                                                                {"barrier", ids::barrier},
                                                                {"bottom_interface", ids::bottom_interface},
                                                                {"substrate", ids::substrate}};
      return m;
    }
    const std::map<std::string, types::boundary_id> &boundary_names()
    {
      static const std::map<std::string, types::boundary_id> m{{"pt_contact", ids::top_contact},
                                                                {"back_contact", ids::back_contact},
                                                                {"lateral", 2},
                                                                {"free_surface", free_surface_boundary_id},
                                                                {"axis", axis_boundary_id}};
      return m;
    }
    template <typename Id>
    std::string allowed(const std::map<std::string, Id> &m)
    {
      std::string s;
      for (const auto &[name, id] : m)
        s += (s.empty() ? "" : ", ") + name;
      return s;
    }
    std::string layer_name(const types::material_id id)
    {
      for (const auto &[name, m] : material_names())
        if (m == id)
          return name;
      return "material " + std::to_string(id);
    }
  } // namespace

  std::map<std::pair<int, int>, std::string> read_gmsh_physical_names(const std::string &file)
  {
    std::ifstream in(file);
    if (!in)
      throw InputError(file + ": cannot open the gmsh mesh file (regenerate it with meshes/generate.sh?)");
    std::string line;
    bool        is_gmsh = false;
    while (std::getline(in, line))
      {
        if (line.rfind("$MeshFormat", 0) == 0)
          is_gmsh = true;
        if (line.rfind("$PhysicalNames", 0) == 0)
          {
            std::map<std::pair<int, int>, std::string> names;
            int                                         n = 0;
            in >> n;
            for (int k = 0; k < n; ++k)
              {
                int dim = -1, tag = -1;
                in >> dim >> tag;
                std::getline(in, line);
                const auto a = line.find('"'), b = line.rfind('"');
                if (!in || a == std::string::npos || b == a)
                  throw InputError(file + ": malformed $PhysicalNames entry " + std::to_string(k + 1));
                names[{dim, tag}] = line.substr(a + 1, b - a - 1);
              }
            return names;
          }
      }
    throw InputError(file + (is_gmsh ? ": no $PhysicalNames section: name the regions with gmsh physical groups "
                                       "(surfaces: barrier, ...; curves: pt_contact, back_contact, ...)" :
                                       ": not a gmsh mesh file (no $MeshFormat)"));
  }

  std::map<types::material_id, std::pair<double, double>> layer_depth_ranges(const Triangulation<2> &tria)
  {
    std::map<types::material_id, std::pair<double, double>> r;
    for (const auto &cell : tria.active_cell_iterators())
      {
        auto it = r.try_emplace(cell->material_id(), std::numeric_limits<double>::max(), -std::numeric_limits<double>::max())
                    .first;
        for (const unsigned int v : cell->vertex_indices())
          {
            it->second.first  = std::min(it->second.first, cell->vertex(v)[1]);
            it->second.second = std::max(it->second.second, cell->vertex(v)[1]);
          }
      }
    return r;
  }

  void read_gmsh_device_mesh(const DeviceModel &device, const GmshMeshParameters &p, Triangulation<2> &tria)
  {
    const std::string &file = p.file;
    if (!(p.length_unit > 0))
      throw InputError(file + ": the length unit must be > 0 (m per file unit)");
    // physical tags -> solver ids, by name
    std::map<int, types::material_id> material_of_tag;
    std::map<int, types::boundary_id> boundary_of_tag;
    std::set<std::string>             found;
    for (const auto &[key, name] : read_gmsh_physical_names(file))
      {
        const auto [dim, tag] = key;
        if (dim == 2 && material_names().count(name))
          material_of_tag[tag] = material_names().at(name);
        else if (dim == 1 && boundary_names().count(name))
          boundary_of_tag[tag] = boundary_names().at(name);
        else
          throw InputError(file + ": unknown " + (dim == 2 ? "physical surface" : dim == 1 ? "physical curve" : "physical group") +
                           " '" + name + "' (allowed surfaces: " + allowed(material_names()) +
                           "; curves: " + allowed(boundary_names()) + ")");
        if (tag == 0 && dim == 1)
          throw InputError(file + ": physical curve '" + name + "' has tag 0 (reserved: unnamed boundary)");
        found.insert(name);
      }
    for (const std::string required : {"pt_contact", "back_contact", "barrier"})
      if (!found.count(required))
        throw InputError(file + ": the mesh has no physical group '" + required + "' (required: pt_contact, "
                         "back_contact, barrier)");

    Triangulation<2> coarse;
    {
      GridIn<2> gi;
      gi.attach_triangulation(coarse);
      std::ifstream in(file);
      try
        {
          gi.read_msh(in);
        }
      catch (const std::exception &e)
        {
          // deal.II's message without its frame and stack trace
          std::string msg = e.what();
          if (const auto a = msg.find("Additional information:"); a != std::string::npos)
            msg = msg.substr(a + std::string("Additional information:").size());
          if (const auto s = msg.find("Stacktrace"); s != std::string::npos)
            msg = msg.substr(0, s);
          std::string        one_line;
          std::istringstream lines(msg);
          for (std::string l; std::getline(lines, l);)
            {
              const auto first = l.find_first_not_of(" \t-"); // frame lines are dashes only
              if (first == std::string::npos)
                continue;
              one_line += (one_line.empty() ? "" : " ") + l.substr(l.find_first_not_of(" \t"));
            }
          throw InputError(file + ": deal.II cannot read this gmsh mesh (2D quadrilaterals, MSH 2.2 or 4.1 ASCII "
                                  "expected): " + one_line);
        }
    }
    // GridIn: cell material id = physical surface tag, boundary face id =
    // physical curve tag, 0 for boundary faces on no physical curve
    for (const auto &cell : coarse.active_cell_iterators())
      {
        const auto m = material_of_tag.find(cell->material_id());
        if (m == material_of_tag.end())
          throw InputError(file + ": a cell at " + std::to_string(cell->center()[0]) + ", " +
                           std::to_string(cell->center()[1]) + " lies in no named physical surface");
        cell->set_material_id(m->second);
        for (const unsigned int f : cell->face_indices())
          if (cell->face(f)->at_boundary())
            {
              const auto b = boundary_of_tag.find(cell->face(f)->boundary_id());
              if (b == boundary_of_tag.end())
                throw InputError(file + ": the boundary face at " + std::to_string(cell->face(f)->center()[0]) +
                                 ", " + std::to_string(cell->face(f)->center()[1]) +
                                 " (file units) lies on no named physical curve");
              cell->face(f)->set_boundary_id(b->second);
            }
      }
    GridTools::scale(p.length_unit, coarse);

    // the layers of the mesh must be those of the device
    const auto ranges = layer_depth_ranges(coarse);
    double     top    = 0;
    for (const auto &l : device.layers)
      {
        const double bottom = top + l.thickness, tol = p.relative_tolerance * l.thickness;
        const auto   r      = ranges.find(l.id);
        if (r == ranges.end())
          throw InputError(file + ": the device has a layer '" + layer_name(l.id) + "' of " +
                           std::to_string(l.thickness * 1e9) + " nm that the mesh lacks (no physical surface '" +
                           layer_name(l.id) + "')");
        if (std::abs(r->second.first - top) > tol || std::abs(r->second.second - bottom) > tol)
          throw InputError(file + ": layer '" + layer_name(l.id) + "' spans depths " +
                           std::to_string(r->second.first * 1e9) + " .. " + std::to_string(r->second.second * 1e9) +
                           " nm in the mesh, expected " + std::to_string(top * 1e9) + " .. " +
                           std::to_string(bottom * 1e9) + " nm (the device's layer thicknesses; y = depth)");
        top = bottom;
      }
    for (const auto &[id, r] : ranges)
      if (std::none_of(device.layers.begin(), device.layers.end(), [id = id](const auto &l) { return l.id == id; }))
        throw InputError(file + ": the mesh has a layer '" + layer_name(id) +
                         "' that the device does not have (zero thickness in the device)");
    tria.clear();
    tria.copy_triangulation(coarse);
  }

  unsigned int check_gmsh_device_mesh(const DeviceModel &device, const std::string &file)
  {
    GmshMeshParameters p;
    p.file = file;
    Triangulation<2> tria;
    read_gmsh_device_mesh(device, p, tria);
    return tria.n_active_cells();
  }

  void read_distributed_gmsh_device_mesh(const DeviceModel &device, const GmshMeshParameters &p,
                                         parallel::distributed::Triangulation<2> &tria)
  {
    Triangulation<2> coarse;
    read_gmsh_device_mesh(device, p, coarse);
    tria.clear();
    tria.copy_triangulation(coarse);
    tria.refine_global(p.global_refinement);
  }
} // namespace otj
