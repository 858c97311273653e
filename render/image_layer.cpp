#include "render/image_layer.h"

#include <vtkActor.h>
#include <vtkNew.h>
#include <vtkPlaneSource.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>

#include <algorithm>
#include <cstring>
#include <set>

#include "render/blend_order.h"
#include "render/tile_texture.h"

namespace tessera::render {

struct ImageLayer::TileActor {
  vtkSmartPointer<TileTexture> texture;
  vtkSmartPointer<vtkActor> actor;
  std::uint64_t generation = 0;  // display generation the texture was composited with
  std::uint64_t composing = 0;   // generation of the composite in flight on a worker (0: none)
  TileState shown = TileState::Missing;
  std::uint64_t lastUsed = 0;
  double z = 0;  // the tile's level depth, before the layer's offset
};

namespace {
// Diagonal red stripes, transparent between them: a failed tile is marked, never silently
// black, and the coarser level drawn behind it shows through the gaps.
void paintHatch(std::uint8_t* rgba, int w, int h) {
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      std::uint8_t* p = rgba + 4 * (static_cast<std::size_t>(y) * w + x);
      const bool stripe = ((x + y) / 8) % 2 == 0;
      p[0] = stripe ? 170 : 0;
      p[1] = stripe ? 30 : 0;
      p[2] = stripe ? 30 : 0;
      p[3] = stripe ? 255 : 0;
    }
}
bool anyTranslucent(const std::vector<std::uint8_t>& rgba) {
  for (std::size_t i = 3; i < rgba.size(); i += 4)
    if (rgba[i] != 255) return true;
  return false;
}
constexpr std::size_t kMinActors = 24;
constexpr std::size_t kSpareActors = 8;
}  // namespace

ImageLayer::ImageLayer(vtkRenderer* renderer, data::TileCache& cache, Post post,
                       std::function<void()> changed)
    : renderer_(renderer),
      cache_(cache),
      post_(std::move(post)),
      changed_(std::move(changed)),
      mailbox_(std::make_shared<Mailbox>()) {
  mailbox_->post = post_;
}

ImageLayer::~ImageLayer() {
  {
    std::lock_guard lock(mailbox_->mutex);
    mailbox_->open = false;
    mailbox_->post = nullptr;
  }
  cancelAll();
  dropActors();
  if (sourceId_) cache_.unregisterSource(sourceId_);
}

void ImageLayer::cancelAll() {
  for (auto& [k, stop] : pending_)
    stop.request_stop();
  pending_.clear();
}

void ImageLayer::dropActors() {
  for (auto& [k, a] : actors_)
    renderer_->RemoveActor(a->actor);
  actors_.clear();
  for (auto& a : spare_)
    renderer_->RemoveActor(a->actor);
  spare_.clear();
}

void ImageLayer::setSource(std::shared_ptr<const data::TileSource> source) {
  cancelAll();
  dropActors();
  if (sourceId_) cache_.unregisterSource(sourceId_);
  sourceId_ = 0;
  source_ = std::move(source);
  pinned_.clear();
  level_ = -1;
  t_ = z_ = 0;
  displays_.clear();
  drawn_.clear();
  if (!source_) return;
  sourceId_ = cache_.registerSource(source_);
  displays_ = defaultDisplays(source_->info());
  ++generation_;
  prepareCompositor();
}

const data::ImageInfo* ImageLayer::info() const {
  return source_ ? &source_->info() : nullptr;
}

Rect ImageLayer::worldBounds() const {
  if (!source_) return {};
  const auto& l0 = source_->info().levels.at(0);
  return {0, 0, static_cast<double>(l0.shape[data::kX]), static_cast<double>(l0.shape[data::kY])};
}

void ImageLayer::setDisplays(std::vector<ChannelDisplay> displays) {
  displays_ = std::move(displays);
  ++generation_;
  prepareCompositor();
  if (changed_) changed_();
}

void ImageLayer::setDrawnChannels(std::vector<bool> drawn) {
  if (std::all_of(drawn.begin(), drawn.end(), [](bool d) { return d; })) drawn.clear();
  if (drawn == drawn_) return;
  drawn_ = std::move(drawn);
  ++generation_;
  prepareCompositor();
  if (changed_) changed_();
}

void ImageLayer::setTileStyle(TileStyle style) {
  style_ = std::move(style);
  dropActors();
  repaint();
}

void ImageLayer::setOpacity(double opacity) {
  style_.opacity = std::clamp(opacity, 0.0, 1.0);
  if (changed_) changed_();
}

void ImageLayer::setDepthOffset(double dz) {
  if (dz == depth_) return;
  depth_ = dz;
  for (auto& [key, a] : actors_) {
    const double* p = a->actor->GetPosition();
    a->actor->SetPosition(p[0], p[1], a->z + depth_);
  }
  if (changed_) changed_();
}

void ImageLayer::repaint() {
  ++generation_;
  if (changed_) changed_();
}

void ImageLayer::setPlane(std::int64_t t, std::int64_t z) {
  if (t == t_ && z == z_) return;
  t_ = t;
  z_ = z;
  if (changed_) changed_();
}

std::vector<std::int64_t> ImageLayer::visibleChannels() const {
  std::vector<std::int64_t> out;
  for (std::size_t c = 0; c < displays_.size(); ++c)
    if (displays_[c].visible && (c >= drawn_.size() || drawn_[c]))
      out.push_back(static_cast<std::int64_t>(c));
  return out;
}

bool ImageLayer::windowsPending() const {
  const auto drawn = visibleChannels();
  return std::any_of(drawn.begin(), drawn.end(), [&](std::int64_t c) {
    return displays_[static_cast<std::size_t>(c)].windowFromData;
  });
}

void ImageLayer::prepareCompositor() {
  if (!source_) return;
  std::vector<ChannelDisplay> visible;
  for (const auto c : visibleChannels())
    visible.push_back(displays_[static_cast<std::size_t>(c)]);
  auto compositor = std::make_shared<Compositor>();
  compositor->prepare(visible, source_->info().dtype);
  compositor_ = std::move(compositor);
}

data::CacheKey ImageLayer::cacheKey(const TileIndex& t, std::int64_t channel) const {
  return data::CacheKey{sourceId_, data::TileKey{t.level, t_, channel, z_, t.row, t.col}};
}

data::TilePtr ImageLayer::lookup(const data::CacheKey& key) const {
  if (const auto it = pinned_.find(key); it != pinned_.end()) return it->second;
  return cache_.peek(key);
}

ImageLayer::TileState ImageLayer::stateOf(const TileIndex& t) const {
  const auto channels = visibleChannels();
  if (channels.empty()) return TileState::Missing;
  bool all = true;
  for (const auto c : channels) {
    const auto key = cacheKey(t, c);
    if (cache_.failure(key)) return TileState::Failed;
    if (!lookup(key)) all = false;
  }
  return all ? TileState::Ready : TileState::Missing;
}

void ImageLayer::requestTile(const TileIndex& t, data::Priority p,
                             std::map<data::CacheKey, std::stop_source>& keep) {
  for (const auto c : visibleChannels()) {
    const auto key = cacheKey(t, c);
    if (keep.count(key)) continue;
    if (auto it = pending_.find(key); it != pending_.end()) {
      keep.emplace(key, std::move(it->second));
      pending_.erase(it);
      continue;
    }
    if (lookup(key)) {
      ++hits_;
      continue;
    }
    if (cache_.failure(key)) continue;
    ++misses_;
    std::stop_source stop;
    cache_.request(
        key, p, stop.get_token(),
        [this, box = mailbox_](const data::CacheKey& k, const data::Expected<data::TilePtr>& r) {
          const bool ok = r.has_value();
          if (!ok && r.error().code == data::Errc::Cancelled) return;
          deliver(box, [this, k, ok] { onTile(k, ok); });
        });
    keep.emplace(key, std::move(stop));
  }
}

void ImageLayer::deliver(const std::shared_ptr<Mailbox>& box, std::function<void()> f) {
  std::lock_guard lock(box->mutex);
  if (!box->open) return;
  // Runs on the layer's thread; the layer may have closed the box meanwhile.
  box->post([box, f = std::move(f)] {
    {
      std::lock_guard l(box->mutex);
      if (!box->open) return;
    }
    f();
  });
}

void ImageLayer::onTile(const data::CacheKey& key, bool ok) {
  if (key.source != sourceId_) return;
  pending_.erase(key);
  const auto c = static_cast<std::size_t>(key.tile.c);
  const auto& info = source_->info();
  const int coarsest = static_cast<int>(info.levels.size()) - 1;
  // The coarsest level is what covers every hole, so it must not be evicted by a busy cache.
  // Pinning is bounded: only small top levels, and a few hundred tiles at most.
  const auto& top = info.levels[static_cast<std::size_t>(coarsest)];
  if (ok && key.tile.level == coarsest && tileRows(top) * tileCols(top) <= 64 &&
      pinned_.size() < 512)
    if (auto tile = cache_.peek(key)) pinned_[key] = std::move(tile);
  if (ok && key.tile.level == coarsest && c < displays_.size() && displays_[c].windowFromData) {
    if (auto tile = lookup(key)) {
      const auto w = autoWindow(*tile);
      displays_[c].start = w[0];
      displays_[c].end = w[1];
      displays_[c].windowFromData = false;
      ++generation_;
      prepareCompositor();
      if (onDisplaysChanged) onDisplaysChanged();
    }
  }
  if (changed_) changed_();
}

void ImageLayer::place(TileActor& a, const TileIndex& t) const {
  const Rect r = tileWorldRect(source_->info(), t);
  // Coarser levels sit further from the camera (which looks along +z), so finer tiles win.
  a.z = style_.zBase + style_.zStep * static_cast<double>(t.level);
  a.actor->SetPosition(r.x0, r.y0, a.z + depth_);
  a.actor->SetScale(r.x1 - r.x0, r.y1 - r.y0, 1);
}

ImageLayer::TileActor& ImageLayer::actorFor(const TileIndex& t) {
  const ActorKey key{t.level, t_, z_, t.row, t.col};
  auto& slot = actors_[key];
  if (slot) return *slot;
  if (!spare_.empty()) {
    // Only the actor's matrix changes: its mapper and unit square stay as they were drawn.
    slot = std::move(spare_.back());
    spare_.pop_back();
    auto& a = *slot;
    a.generation = a.composing = a.lastUsed = 0;
    a.shown = TileState::Missing;
    place(a, t);
    return a;
  }
  slot = std::make_unique<TileActor>();
  auto& a = *slot;
  // One unit square per actor, placed by the actor's matrix: a recycled actor moves without
  // touching its geometry.
  vtkNew<vtkPlaneSource> plane;
  plane->SetOrigin(0, 0, 0);
  plane->SetPoint1(1, 0, 0);
  plane->SetPoint2(0, 1, 0);
  plane->Update();
  auto mapper = vtkSmartPointer<vtkPolyDataMapper>::New();
  mapper->SetInputData(plane->GetOutput());
  a.texture = vtkSmartPointer<TileTexture>::New();
  a.actor = style_.adds ? newAddingActor() : vtkSmartPointer<vtkActor>::New();
  a.actor->SetMapper(mapper);
  a.actor->SetTexture(a.texture);
  a.actor->GetProperty()->LightingOff();
  setBlended(*a.actor, true);
  a.actor->VisibilityOff();
  place(a, t);
  renderer_->AddActor(a.actor);
  return a;
}

bool ImageLayer::budgetLeft() const {
  return std::chrono::steady_clock::now() < budgetEnd_;
}

bool ImageLayer::hasTexture(const TileIndex& t) const {
  const auto it = actors_.find(ActorKey{t.level, t_, z_, t.row, t.col});
  return it != actors_.end() && it->second->shown != TileState::Missing;
}

std::pair<int, int> ImageLayer::tileSize(const TileIndex& t) const {
  const auto& l = source_->info().levels.at(static_cast<std::size_t>(t.level));
  return {
      static_cast<int>(std::min(l.chunk[data::kX], l.shape[data::kX] - t.col * l.chunk[data::kX])),
      static_cast<int>(std::min(l.chunk[data::kY], l.shape[data::kY] - t.row * l.chunk[data::kY]))};
}

bool ImageLayer::upToDate(const TileActor& a) const {
  return a.shown == TileState::Ready && a.generation == generation_ && !a.texture->lost();
}

void ImageLayer::compositeLater(TileActor& a, const TileIndex& t) {
  if (a.composing == generation_) return;
  const auto [w, h] = tileSize(t);
  std::vector<data::TilePtr> held;
  for (const auto c : visibleChannels()) {
    auto tile = lookup(cacheKey(t, c));
    if (!tile || tile->width != w || tile->height != h) return;  // evicted: asked for again
    held.push_back(std::move(tile));
  }
  a.composing = generation_;
  const ActorKey key{t.level, t_, z_, t.row, t.col};
  cache_.executor().post(
      [this, box = mailbox_, key, generation = generation_, w, h, held = std::move(held),
       compositor = compositor_] {
        std::vector<const data::Tile*> tiles;
        for (const auto& tile : held)
          tiles.push_back(tile.get());
        std::vector<std::uint8_t> pixels(static_cast<std::size_t>(w) * h * 4);
        compositor->composite(tiles, pixels.data());
        const bool translucent = anyTranslucent(pixels);
        deliver(box,
                [this, key, generation, w, h, pixels = std::move(pixels), translucent]() mutable {
                  onComposited(key, generation, w, h, std::move(pixels), translucent);
                });
      },
      data::Priority::Visible);
}

void ImageLayer::onComposited(const ActorKey& key, std::uint64_t generation, int w, int h,
                              std::vector<std::uint8_t> pixels, bool translucent) {
  const auto it = actors_.find(key);
  if (it == actors_.end()) return;
  auto& a = *it->second;
  if (a.composing == generation) a.composing = 0;
  // A stale composite is dropped; the next update() asks for the current one.
  if (generation == generation_) {
    a.texture->setPixels(w, h, std::move(pixels), translucent);
    a.generation = generation;
    a.shown = TileState::Ready;
  }
  if (changed_) changed_();
}

bool ImageLayer::refreshTexture(TileActor& a, const TileIndex& t, TileState state, bool force) {
  if (a.shown == state && (state == TileState::Failed || a.generation == generation_) &&
      !a.texture->lost())
    return true;
  if (state == TileState::Ready && !force && compositesOnWorkers()) {
    compositeLater(a, t);
    return false;
  }
  if (!force && !budgetLeft()) {
    deferred_ = true;
    return false;
  }
  const auto [w, h] = tileSize(t);
  std::vector<data::TilePtr> held;
  std::vector<const data::Tile*> tiles;
  if (state == TileState::Ready) {
    for (const auto c : visibleChannels()) {
      auto tile = lookup(cacheKey(t, c));
      if (!tile || tile->width != w || tile->height != h) return false;  // evicted; keep old
      tiles.push_back(tile.get());
      held.push_back(std::move(tile));
    }
  }
  // A fresh buffer per texture: the texture frees it once uploaded (no CPU copy stays).
  std::vector<std::uint8_t> pixels(static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * 4);
  auto* rgba = pixels.data();
  if (state == TileState::Failed)
    paintHatch(rgba, w, h);
  else if (style_.paint)
    style_.paint(tiles, rgba);
  else
    compositor_->composite(tiles, rgba);
  const bool translucent = anyTranslucent(pixels);
  a.texture->setPixels(w, h, std::move(pixels), translucent);
  a.generation = generation_;
  a.shown = state;
  return true;
}

void ImageLayer::arrange(const std::vector<DrawItem>& draw, double zoom) {
  ++frame_;
  std::set<ActorKey> shown;
  for (const auto& [t, state, force] : draw) {
    auto& a = actorFor(t);
    refreshTexture(a, t, state, force);
    if (a.shown == TileState::Missing) continue;
    // Nearest neighbour when magnified shows true pixels; linear when minified avoids shimmer.
    const bool magnified = style_.nearest || zoom * levelFactor(source_->info(), t.level) >= 0.999;
    if (a.texture->GetInterpolate() == magnified) a.texture->SetInterpolate(!magnified);
    a.actor->GetProperty()->SetOpacity(style_.opacity);
    a.actor->VisibilityOn();
    a.lastUsed = frame_;
    shown.insert(ActorKey{t.level, t_, z_, t.row, t.col});
  }
  for (auto& [k, a] : actors_)
    if (!shown.count(k)) a->actor->VisibilityOff();
  // Textures live in (software) GPU memory, one RGBA copy each (TileTexture keeps no CPU
  // copy); beyond what is on screen only a small margin is kept for panning back.
  const std::size_t limit = std::max(kMinActors, shown.size() + kSpareActors);
  if (actors_.size() > limit) {
    std::vector<std::pair<std::uint64_t, ActorKey>> byAge;
    for (const auto& [k, a] : actors_)
      if (!shown.count(k) && !a->composing) byAge.emplace_back(a->lastUsed, k);
    std::sort(byAge.begin(), byAge.end());
    for (std::size_t i = 0; i < byAge.size() && actors_.size() > limit; ++i) {
      auto it = actors_.find(byAge[i].second);
      auto& a = *it->second;
      if (spare_.size() < kSpareActors) {
        // Kept in the renderer (removing a prop releases its mapper's buffers), invisible; its
        // texture storage is freed now, so spares cost no more memory than evicted actors.
        if (auto* window = renderer_->GetRenderWindow())
          a.texture->ReleaseGraphicsResources(window);
        spare_.push_back(std::move(it->second));
      } else {
        renderer_->RemoveActor(a.actor);
      }
      actors_.erase(it);
    }
  }
}

void ImageLayer::update(const ViewCamera& camera) {
  status_ = {};
  if (!source_) return;
  constexpr auto kCompositeBudget = std::chrono::milliseconds(12);
  budgetEnd_ = std::chrono::steady_clock::now() + kCompositeBudget;
  deferred_ = false;
  const auto& info = source_->info();
  const int coarsest = static_cast<int>(info.levels.size()) - 1;
  level_ = forcedLevel_ >= 0 ? std::min(forcedLevel_, coarsest)
                             : chooseLevel(info, camera.zoom(), level_);
  status_.level = level_;
  const Rect view = camera.visibleWorld();
  lastView_ = view;
  const auto visible = tilesCovering(info, level_, view);

  std::map<data::CacheKey, std::stop_source> keep;
  // The coarsest level first: it is small and guarantees that something covers every pixel.
  for (const auto& t : tilesCovering(info, coarsest, view))
    requestTile(t, data::Priority::Visible, keep);
  for (const auto& t : visible)
    requestTile(t, data::Priority::Visible, keep);
  if (fixedPath_) {
    if (lookahead_)
      for (const auto& t : tilesCovering(info, level_, *lookahead_))
        requestTile(t, data::Priority::Prefetch, keep);
  } else {
    for (const auto& t : tilesCovering(info, level_, view, 1))
      requestTile(t, data::Priority::Prefetch, keep);
    if (level_ + 1 < coarsest)
      for (const auto& t : tilesCovering(info, level_ + 1, view))
        requestTile(t, data::Priority::Prefetch, keep);
  }
  for (auto& [k, stop] : pending_)
    stop.request_stop();
  pending_ = std::move(keep);
  status_.pendingRequests = static_cast<int>(pending_.size());

  std::vector<DrawItem> draw;
  std::set<TileIndex> drawn;
  auto add = [&](const TileIndex& t, TileState s, bool force) {
    if (drawn.insert(t).second) draw.push_back({t, s, force});
  };
  // A tile without any texture yet can only be shown within this frame's compositing budget;
  // past it, the fallback covers it until a later frame.
  auto drawable = [&](const TileIndex& t) {
    if (hasTexture(t) || budgetLeft()) return true;
    deferred_ = true;
    return false;
  };
  status_.visibleTiles = static_cast<int>(visible.size());
  for (const auto& t : visible) {
    const auto s = stateOf(t);
    if (s == TileState::Ready && compositesOnWorkers()) {
      auto& a = actorFor(t);
      if (!upToDate(a)) compositeLater(a, t);
      if (upToDate(a)) {
        ++status_.readyTiles;
        add(t, s, false);
        continue;
      }
      // After a display change the old texture stays until the new one arrives.
      if (a.shown == TileState::Ready && !a.texture->lost()) {
        ++status_.coveredByOthers;
        add(t, s, false);
        continue;
      }
    } else if (s == TileState::Ready && drawable(t)) {
      ++status_.readyTiles;
      add(t, s, !hasTexture(t));  // admitted within the budget: must get its texture now
      continue;
    }
    // A failed tile is marked (hatched, cheap to paint) over what the other levels have there.
    if (s == TileState::Failed) {
      ++status_.failedTiles;
      add(t, s, true);
    }
    // An adding layer's levels would add up where they overlap: no fallback, its light comes
    // with its own tiles (a moment late while they load).
    if (style_.adds) {
      if (s != TileState::Failed) ++status_.uncovered;
      continue;
    }
    const Rect r = tileWorldRect(info, t);
    bool covered = false;
    // Finer tiles still resident (after zooming out) are drawn in front of the fallback.
    if (level_ > 0) {
      for (const auto& f : tilesCovering(info, level_ - 1, r))
        if (stateOf(f) == TileState::Ready && hasTexture(f)) add(f, TileState::Ready, false);
    }
    // The nearest coarser level already textured, when tiles are composited on workers: the UI
    // thread composites nothing. Else the nearest coarser level with data, composited now;
    // failed tiles met on the way are drawn as marks.
    for (int l = level_ + 1; l <= coarsest && !covered && compositesOnWorkers(); ++l)
      for (const auto& a : tilesCovering(info, l, r))
        if (stateOf(a) == TileState::Ready && hasTexture(a)) {
          add(a, TileState::Ready, false);
          covered = true;
        }
    bool marked = false;
    for (int l = level_ + 1; l <= coarsest && !covered; ++l) {
      for (const auto& a : tilesCovering(info, l, r)) {
        const auto s2 = stateOf(a);
        if (s2 == TileState::Missing) continue;
        add(a, s2, true);
        (s2 == TileState::Ready ? covered : marked) = true;
      }
    }
    if (s == TileState::Failed) continue;
    if (covered || marked)
      ++status_.coveredByOthers;
    else
      ++status_.uncovered;
  }
  arrange(draw, camera.zoom());
  if (deferred_ && changed_) changed_();
}

std::size_t ImageLayer::visibleActorCount() const {
  std::size_t n = 0;
  for (const auto& [key, a] : actors_)
    if (a->actor->GetVisibility()) ++n;
  return n;
}

}  // namespace tessera::render
