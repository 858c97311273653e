#include "render/offscreen_render.h"

#include <vtkImageData.h>
#include <vtkNew.h>
#include <vtkPNGWriter.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkUnsignedCharArray.h>

#include <chrono>
#include <cstring>
#include <filesystem>

#include "render/image_layer.h"
#include "render/scale_bar.h"
#include "render/scene.h"
#include "render/task_queue.h"

namespace tessera::render {
namespace {

// Copies the back buffer into out.rgb (top row first).
void capture(vtkRenderWindow* window, RenderedImage& out) {
  const int w = out.width, h = out.height;
  vtkNew<vtkUnsignedCharArray> pixels;
  window->GetPixelData(0, 0, w - 1, h - 1, /*front=*/0, pixels);
  out.rgb.resize(static_cast<std::size_t>(w) * h * 3);
  const auto* src = pixels->GetPointer(0);
  // OpenGL rows run bottom-up.
  for (int y = 0; y < h; ++y)
    std::memcpy(out.rgb.data() + static_cast<std::size_t>(y) * w * 3,
                src + static_cast<std::size_t>(h - 1 - y) * w * 3, static_cast<std::size_t>(w) * 3);
}

}  // namespace

void renderSize(const RenderRequest& req, const Rect& region, int& w, int& h) {
  w = req.width;
  h = req.height;
  if (w > 0 && h > 0) return;
  // Without a size: 1:1 for a region, else 1024 px on the longer side; never above 4096.
  const double longSide = req.region ? std::max(region.width(), region.height()) : 1024.0;
  const double s = std::min(4096.0, longSide) / std::max(region.width(), region.height());
  w = std::max(1, static_cast<int>(std::lround(region.width() * s)));
  h = std::max(1, static_cast<int>(std::lround(region.height() * s)));
}

data::Expected<RenderedImage> renderOffscreen(std::shared_ptr<const data::TileSource> source,
                                              data::TileCache& cache, const RenderRequest& req) {
  const auto& info = source->info();
  const Rect whole{0, 0, static_cast<double>(info.width()), static_cast<double>(info.height())};
  const Rect region = req.region.value_or(whole);
  if (region.width() <= 0 || region.height() <= 0)
    return data::fail(data::Errc::InvalidArgument, "render: empty region");
  int w = 0, h = 0;
  renderSize(req, region, w, h);
  if (w > 16384 || h > 16384)
    return data::fail(data::Errc::InvalidArgument, "render: output larger than 16384 px");

  TaskQueue queue;
  vtkNew<vtkRenderer> renderer;
  setupRenderer(renderer);
  vtkNew<vtkRenderWindow> window;
  window->SetOffScreenRendering(1);
  window->SetMultiSamples(0);
  window->SetSize(w, h);
  window->AddRenderer(renderer);

  ViewCamera camera;
  camera.setViewport(w, h);
  camera.fit(region);
  ImageLayer layer(renderer, cache, queue.poster(), {});
  layer.setSource(source);
  layer.setDepthOffset(req.imageDepth);
  if (req.displays) {
    if (req.displays->size() != info.channels.size())
      return data::fail(
          data::Errc::InvalidArgument,
          "render: expected " + std::to_string(info.channels.size()) + " channel settings");
    layer.setDisplays(*req.displays);
  }
  layer.setPlane(req.t, req.z);
  if (req.level >= static_cast<int>(info.levels.size()))
    return data::fail(data::Errc::InvalidArgument, "render: level " + std::to_string(req.level) +
                                                       " does not exist (the image has " +
                                                       std::to_string(info.levels.size()) + ")");
  layer.setForcedLevel(req.level);
  layer.setDrawnChannels(req.imageChannels);
  // The upper parts of the image layers: the same image, other channels, each at its depth.
  const auto uppers = upperImageLayers(renderer, cache, queue.poster(), layer, req.upperImages);
  std::vector<ImageLayer*> layers{&layer};
  for (const auto& u : uppers)
    layers.push_back(u.get());

  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::duration<double>(req.timeoutSeconds);
  for (;;) {
    for (auto* l : layers)
      l->update(camera);
    if (std::all_of(layers.begin(), layers.end(), [](auto* l) { return l->drawn(); })) break;
    if (std::chrono::steady_clock::now() > deadline)
      return data::fail(data::Errc::Io, "render: timed out waiting for tiles of " + info.source);
    queue.run(std::chrono::milliseconds(50));
  }
  applyCamera(renderer, camera);
  std::unique_ptr<ScaleBar> bar;
  if (req.scaleBar) {
    bar = std::make_unique<ScaleBar>(renderer);
    bar->update(info.levels[0].scale[data::kX] / camera.zoom(), info.spaceUnit, w, h);
  }
  std::shared_ptr<void> decorations;
  if (req.decorate) decorations = req.decorate(renderer, camera);
  window->Render();

  RenderedImage out;
  out.width = w;
  out.height = h;
  out.level = layer.status().level;
  out.displays = layer.displays();
  // Each channel's window as the layer that draws it settled it.
  for (std::size_t p = 0; p < uppers.size(); ++p)
    for (std::size_t c = 0; c < out.displays.size(); ++c)
      if (c < req.upperImages[p].channels.size() && req.upperImages[p].channels[c])
        out.displays[c] = uppers[p]->displays()[c];
  capture(window, out);
  decorations.reset();
  return out;
}

data::Expected<RenderedImage> renderOverlaysOffscreen(const Rect& world, int w, int h,
                                                      const Decorate& decorate) {
  if (w <= 0 || h <= 0 || w > 16384 || h > 16384)
    return data::fail(data::Errc::InvalidArgument, "render: output size must be 1..16384 px");
  vtkNew<vtkRenderer> renderer;
  setupRenderer(renderer);
  vtkNew<vtkRenderWindow> window;
  window->SetOffScreenRendering(1);
  window->SetMultiSamples(0);
  window->SetSize(w, h);
  window->AddRenderer(renderer);
  ViewCamera camera;
  camera.setViewport(w, h);
  camera.fit(world);
  camera.setZoom(camera.zoom() * 0.92);
  applyCamera(renderer, camera);
  std::shared_ptr<void> decorations;
  if (decorate) decorations = decorate(renderer, camera);
  window->Render();
  RenderedImage out;
  out.width = w;
  out.height = h;
  capture(window, out);
  decorations.reset();
  return out;
}

data::Expected<void> writePng(const RenderedImage& image, const std::string& path) {
  vtkNew<vtkImageData> img;
  img->SetDimensions(image.width, image.height, 1);
  img->AllocateScalars(VTK_UNSIGNED_CHAR, 3);
  auto* dst = static_cast<std::uint8_t*>(img->GetScalarPointer());
  // VTK images run bottom-up too.
  for (int y = 0; y < image.height; ++y)
    std::memcpy(dst + static_cast<std::size_t>(y) * image.width * 3,
                image.rgb.data() + static_cast<std::size_t>(image.height - 1 - y) * image.width * 3,
                static_cast<std::size_t>(image.width) * 3);
  const auto parent = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!parent.empty() && !std::filesystem::is_directory(parent, ec))
    return data::fail(data::Errc::NotFound, path + ": folder does not exist");
  vtkNew<vtkPNGWriter> writer;
  writer->SetFileName(path.c_str());
  writer->SetInputData(img);
  writer->Write();
  if (writer->GetErrorCode() != 0 || !std::filesystem::exists(path, ec))
    return data::fail(data::Errc::Io, path + ": could not write PNG");
  return {};
}

}  // namespace tessera::render
