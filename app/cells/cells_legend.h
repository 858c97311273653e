#pragma once
/// The legend of the cell colouring drawn in the view (so it is in screenshots and in
/// `tessera render` output): a title and either a colour bar with its range or a swatch and a
/// label per category (the first 24, then "+N more"). Top-right corner, texts on a dark ground.
/// GUI thread (or the CLI's render thread); owns VTK actors of one renderer, remove it before
/// the renderer goes.
#include <memory>

#include "app/cells/cells_coloring.h"

class vtkRenderer;

namespace tessera::app {

class CellsLegend {
 public:
  explicit CellsLegend(vtkRenderer* renderer);
  ~CellsLegend();
  CellsLegend(const CellsLegend&) = delete;
  CellsLegend& operator=(const CellsLegend&) = delete;

  void set(const LegendSpec& spec);
  const LegendSpec& spec() const { return spec_; }
  void setVisible(bool visible);
  /// Lays the legend out for a viewport of w x h device pixels; call before each render.
  void update(int w, int h);

 private:
  struct Vtk;
  std::unique_ptr<Vtk> vtk_;
  LegendSpec spec_;
  bool visible_ = true;
  int lastW_ = -1, lastH_ = -1;
  bool dirty_ = true;
};

}  // namespace tessera::app
