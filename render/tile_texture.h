#pragma once
/// A texture for one tile that keeps no CPU copy of its pixels once they are on the GPU
/// (llvmpipe keeps its own). The layer hands it a freshly painted RGBA8 buffer; the next render
/// uploads it and frees it. A stock vtkTexture would keep its input image for as long as the
/// actor lives, doubling the memory of every tile on screen.
/// - Interpolation can change without a re-upload (only the sampler filters change).
/// - When the GL context goes away (window re-created), the texture reports lost() and the
///   layer paints it again; until then it draws whatever the driver gives for a dead texture.
/// Render thread (the UI thread) only, like every VTK object of a renderer.
#include <cstdint>
#include <vector>

#include <vtkOpenGLTexture.h>

namespace tessera::render {

class TileTexture : public vtkOpenGLTexture {
 public:
  static TileTexture* New();
  vtkTypeMacro(TileTexture, vtkOpenGLTexture);

  /// `rgba` holds w*h RGBA8 texels, row 0 at the tile's low-y edge; uploaded at the next render.
  /// `translucent` says whether any texel has alpha < 255.
  void setPixels(int w, int h, std::vector<std::uint8_t> rgba, bool translucent);
  /// True when pixels were handed over and the GL copy is gone (context lost or released).
  bool lost() const { return lost_; }
  /// Texture uploads done by all tile textures of the process so far (the rendering benchmark
  /// replays the viewer's uploads per frame in its floor).
  static std::uint64_t uploads();

  void Load(vtkRenderer* ren) override;
  void PostRender(vtkRenderer* ren) override;
  void ReleaseGraphicsResources(vtkWindow* win) override;
  int IsTranslucent() override { return translucent_ ? 1 : 0; }

 protected:
  TileTexture() = default;
  ~TileTexture() override = default;

 private:
  void applyFilters();

  std::vector<std::uint8_t> pending_;
  int width_ = 0, height_ = 0;
  bool uploaded_ = false, lost_ = false, translucent_ = false, active_ = false;
  int filtersFor_ = -1;  ///< Interpolate value the sampler filters were last set for
};

}  // namespace tessera::render
