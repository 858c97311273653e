#include "render/tile_texture.h"

#include <atomic>

#include <vtkObjectFactory.h>
#include <vtkOpenGLRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkTextureObject.h>

namespace tessera::render {
namespace {
// Counted on the render thread only; atomic so a reader on another thread sees whole values.
std::atomic<std::uint64_t> uploadCount{0};
}  // namespace

vtkStandardNewMacro(TileTexture);

std::uint64_t TileTexture::uploads() {
  return uploadCount.load(std::memory_order_relaxed);
}

void TileTexture::setPixels(int w, int h, std::vector<std::uint8_t> rgba, bool translucent) {
  width_ = w;
  height_ = h;
  pending_ = std::move(rgba);
  translucent_ = translucent;
  lost_ = false;
  Modified();
}

void TileTexture::applyFilters() {
  const int filter = GetInterpolate() ? vtkTextureObject::Linear : vtkTextureObject::Nearest;
  TextureObject->SetMinificationFilter(filter);
  TextureObject->SetMagnificationFilter(filter);
  TextureObject->SetWrapS(vtkTextureObject::ClampToEdge);
  TextureObject->SetWrapT(vtkTextureObject::ClampToEdge);
  filtersFor_ = GetInterpolate();
}

void TileTexture::Load(vtkRenderer* ren) {
  active_ = false;
  auto* window = vtkOpenGLRenderWindow::SafeDownCast(ren->GetRenderWindow());
  if (!window) return;
  if (uploaded_ &&
      (window != RenderWindow.GetPointer() || window->GetContextCreationTime() > LoadTime)) {
    uploaded_ = false;
    lost_ = true;
  }
  if (!pending_.empty()) {
    if (!TextureObject) TextureObject = vtkTextureObject::New();
    TextureObject->SetContext(window);
    TextureObject->Create2DFromRaw(static_cast<unsigned>(width_), static_cast<unsigned>(height_), 4,
                                   VTK_UNSIGNED_CHAR, pending_.data());
    std::vector<std::uint8_t>().swap(pending_);
    uploadCount.fetch_add(1, std::memory_order_relaxed);
    RenderWindow = window;
    LoadTime.Modified();
    uploaded_ = true;
    filtersFor_ = -1;
  }
  // Nothing valid to bind (lost, not yet refilled): the layer repaints it before the next frame.
  if (!uploaded_) return;
  if (filtersFor_ != GetInterpolate()) applyFilters();
  TextureObject->Activate();
  active_ = true;
}

void TileTexture::PostRender(vtkRenderer*) {
  if (active_) TextureObject->Deactivate();
  active_ = false;
}

void TileTexture::ReleaseGraphicsResources(vtkWindow* win) {
  if (uploaded_) lost_ = true;
  uploaded_ = false;
  vtkOpenGLTexture::ReleaseGraphicsResources(win);
}

}  // namespace tessera::render
