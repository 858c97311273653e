#pragma once
/// The tiled, multiscale, multichannel image layer of a vtkRenderer.
/// - Picks the level for the camera (with hysteresis) and requests visible tiles first, nearest
///   the centre first, then a prefetch ring and the next coarser level; requests for tiles that
///   left the view are cancelled through their stop tokens.
/// - Never shows a hole: a tile still loading is covered by loaded finer tiles and the best
///   coarser level; a failed tile (or a whole failing level) is marked with translucent red
///   hatching over the data of the nearest coarser level that has it.
/// - Channels are composited on the CPU into one RGBA texture per tile (see Compositor), so a
///   display change re-composites from the decoded tiles in the cache without re-reading.
///   With the channel compositor (the default TileStyle) this runs on the cache's executor: the
///   UI thread only uploads. Until a tile's new texture arrives its old one stays on screen (after
///   a display change) or the coarser levels cover it (a new tile): never a hole or a black flash.
///   Coarser tiles that must cover a hole right now are composited on the UI thread.
/// UI-thread only. Tile callbacks and composited textures arrive on workers and are handed to
/// `post`, which must run them on the UI thread; after the layer is destroyed they are ignored.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

#include <vtkSmartPointer.h>

#include "data/tile_cache.h"
#include "render/channel_display.h"
#include "render/compositor.h"
#include "render/tile_plan.h"
#include "render/view_camera.h"

class vtkRenderer;
class vtkActor;
class vtkPlaneSource;

namespace tessera::render {

/// How tiles are painted and placed. The default composites channels at z = level + 1; a label
/// layer paints ids through a palette, in front of the image, never interpolated.
struct TileStyle {
  /// Paints the visible channels' tiles (in display order, same size) into w*h RGBA8 bytes;
  /// empty = the channel compositor (run on workers). A paint function runs on the UI thread.
  std::function<void(std::span<const data::Tile* const> tiles, std::uint8_t* rgba)> paint;
  double zBase = 1.0, zStep = 1.0;  ///< tile z = zBase + zStep * level (nearer = smaller z)
  bool nearest = false;             ///< never interpolate texels (ids must not blend)
  double opacity = 1.0;             ///< below 1 the tiles are blended (see blend_order.h)
  /// The tiles add their colour (times the opacity) onto what is below them instead of covering
  /// it (blend_order.h, newAddingActor): an upper part of the session's image layers. Levels
  /// would add up where they overlap, so a tile still loading is not covered by another level.
  bool adds = false;
};

struct LayerStatus {
  int level = 0;
  int visibleTiles = 0;     ///< target-level tiles in view
  int readyTiles = 0;       ///< of those, drawn at the target level, up to date
  int failedTiles = 0;      ///< of those, drawn hatched
  int coveredByOthers = 0;  ///< of those, covered by another level (or their old texture)
  int uncovered = 0;        ///< of those, with nothing to draw (only before the first tiles arrive)
  int pendingRequests = 0;
  bool complete() const { return readyTiles + failedTiles == visibleTiles; }
};

class ImageLayer {
 public:
  using Post = std::function<void(std::function<void()>)>;

  ImageLayer(vtkRenderer* renderer, data::TileCache& cache, Post post,
             std::function<void()> changed);
  ~ImageLayer();
  ImageLayer(const ImageLayer&) = delete;
  ImageLayer& operator=(const ImageLayer&) = delete;

  void setSource(std::shared_ptr<const data::TileSource> source);
  const std::shared_ptr<const data::TileSource>& source() const { return source_; }
  const data::ImageInfo* info() const;
  /// The image extent in world (level-0 pixel) units.
  Rect worldBounds() const;

  void setDisplays(std::vector<ChannelDisplay> displays);
  const std::vector<ChannelDisplay>& displays() const { return displays_; }
  /// Of the displays, the channels this layer draws (empty: all): the part of the session's
  /// image layers it shows (app/core/layer_order.h); displays() still lists every channel.
  /// setSource clears it.
  void setDrawnChannels(std::vector<bool> drawn);
  /// False when no channel is both drawn and visible: the layer draws nothing.
  bool drawsChannels() const { return !visibleChannels().empty(); }
  /// True while a channel it draws still waits for its window from the data (auto-contrast).
  bool windowsPending() const;
  /// Everything in view is drawn at its level with settled windows, or it draws no channel:
  /// what an off-screen render waits for after update().
  bool drawn() const { return !drawsChannels() || (status_.complete() && !windowsPending()); }
  /// Called when auto-contrast filled in a channel window.
  std::function<void()> onDisplaysChanged;

  /// Replaces the painting and placement of tiles; textures are rebuilt from the cache.
  void setTileStyle(TileStyle style);
  /// Opacity of every tile (cheap: no repaint).
  void setOpacity(double opacity);
  /// Moves the layer `dz` further from the camera (world z), to draw it below the layers
  /// nearer than it: the session's layer order (see render/scene.h, layerDepth).
  void setDepthOffset(double dz);
  double depthOffset() const { return depth_; }
  /// Repaints every texture from the cache (after the paint function's inputs changed).
  void repaint();

  void setPlane(std::int64_t t, std::int64_t z);
  std::int64_t planeT() const { return t_; }
  std::int64_t planeZ() const { return z_; }

  /// Pins the pyramid level (for `render --level`); -1 returns to automatic choice.
  void setForcedLevel(int level) { forcedLevel_ = level; }
  int forcedLevel() const { return forcedLevel_; }
  /// Replaces the prefetch (a ring of tiles around the view and the next coarser level) by the
  /// tiles of the drawn level covering `next`, or by nothing when it is empty. The figure export
  /// moves on a fixed path and never pans back: it reads ahead exactly its next view, so its
  /// bounded tile cache holds no tile that is read only to be evicted unused.
  void setLookahead(std::optional<Rect> next) {
    fixedPath_ = true;
    lookahead_ = next;
  }

  /// Plans, requests and arranges the tile actors for `camera`. Call before each render.
  void update(const ViewCamera& camera);
  LayerStatus status() const { return status_; }
  /// Tile actors alive (each holds one RGBA texture); bounded, see arrange().
  std::size_t actorCount() const { return actors_.size(); }
  /// Of those, the ones drawn by the next render (in view, at any level).
  std::size_t visibleActorCount() const;
  /// Tile channels needed by update() calls (visible, prefetch; counted once per call) that
  /// were resident (hits) or had to be requested (misses; pending ones are not counted again).
  std::uint64_t hits() const { return hits_; }
  std::uint64_t misses() const { return misses_; }

  /// Up to `maxSamples` raw values of `channel` spread over the resident tiles of the current
  /// view (at the drawn level, or the nearest coarser one that is loaded). Cheap: no I/O.
  std::vector<double> viewSamples(std::size_t channel, std::size_t maxSamples) const;

  /// Raw value of each channel at world point (x, y) from the finest resident level, or empty;
  /// NaN for the channels it does not draw (setDrawnChannels).
  std::vector<double> valuesAt(double x, double y, int* levelUsed = nullptr) const;

 private:
  struct TileActor;
  struct ActorKey {
    int level;
    std::int64_t t, z, row, col;
    auto operator<=>(const ActorKey&) const = default;
  };
  enum class TileState { Missing, Ready, Failed };

  data::CacheKey cacheKey(const TileIndex& t, std::int64_t channel) const;
  TileState stateOf(const TileIndex& t) const;
  /// A decoded tile from the pinned coarsest level or the cache; never blocks.
  data::TilePtr lookup(const data::CacheKey& key) const;
  void requestTile(const TileIndex& t, data::Priority p,
                   std::map<data::CacheKey, std::stop_source>& keep);
  void onTile(const data::CacheKey& key, bool ok);
  /// True when the texture shows the tile's data under the current displays.
  bool upToDate(const TileActor& a) const;
  /// Composites a Ready tile on the executor (once per display generation).
  void compositeLater(TileActor& a, const TileIndex& t);
  void onComposited(const ActorKey& key, std::uint64_t generation, int w, int h,
                    std::vector<std::uint8_t> pixels, bool translucent);
  /// Off the UI thread: only with the channel compositor (a TileStyle paint runs on the UI thread).
  bool compositesOnWorkers() const { return !style_.paint; }
  /// The tile's texture size (tiles at the right and bottom edges are smaller).
  std::pair<int, int> tileSize(const TileIndex& t) const;
  TileActor& actorFor(const TileIndex& t);
  /// Composites the tile's texture if stale. `force` ignores the per-frame time budget (for
  /// the fallback that keeps the view free of holes). False if left stale.
  bool refreshTexture(TileActor& a, const TileIndex& t, TileState state, bool force);
  bool hasTexture(const TileIndex& t) const;
  bool budgetLeft() const;
  struct DrawItem {
    TileIndex tile;
    TileState state;
    bool force;
  };
  void arrange(const std::vector<DrawItem>& draw, double zoom);
  std::vector<std::int64_t> visibleChannels() const;
  void prepareCompositor();
  void cancelAll();
  void dropActors();

  vtkRenderer* renderer_;
  data::TileCache& cache_;
  Post post_;
  std::function<void()> changed_;
  // Workers deliver tile results through this mailbox. The destructor closes it under its lock,
  // so no worker calls `post` once the layer is gone (whatever `post` points at may die next).
  struct Mailbox {
    std::mutex mutex;
    Post post;
    bool open = true;
  };
  std::shared_ptr<Mailbox> mailbox_;
  /// From any thread: runs `f` on the layer's thread through `post`, unless the layer is gone by
  /// then (`f` may capture the layer: it only runs while the box is open).
  static void deliver(const std::shared_ptr<Mailbox>& box, std::function<void()> f);

  std::shared_ptr<const data::TileSource> source_;
  std::uint64_t sourceId_ = 0;
  std::vector<ChannelDisplay> displays_;
  std::vector<bool> drawn_;                       ///< empty: every channel
  std::shared_ptr<const Compositor> compositor_;  ///< shared with composites in flight
  TileStyle style_;
  std::uint64_t generation_ = 1;
  std::int64_t t_ = 0, z_ = 0;
  int level_ = -1;
  int forcedLevel_ = -1;
  bool fixedPath_ = false;  ///< setLookahead was called: no ring, no coarser level
  std::optional<Rect> lookahead_;
  std::map<data::CacheKey, std::stop_source> pending_;
  std::map<data::CacheKey, data::TilePtr> pinned_;
  std::map<ActorKey, std::unique_ptr<TileActor>> actors_;
  /// Evicted tile actors, invisible and without GL storage, that the next new tiles take over:
  /// a new VTK actor and mapper cost a pan frame more than the tile's upload (their first
  /// render builds buffers and the shader), and panning makes new tiles every few frames.
  std::vector<std::unique_ptr<TileActor>> spare_;
  /// Places `a` (a unit square) over tile `t` at its level's depth behind the layer's offset.
  void place(TileActor& a, const TileIndex& t) const;
  double depth_ = 0;
  std::uint64_t frame_ = 0;
  std::uint64_t hits_ = 0, misses_ = 0;
  LayerStatus status_;
  Rect lastView_;
  // Compositing runs on the UI thread; a time budget per frame keeps frames short when many
  // tiles arrive at once, and the rest follow in the next frames.
  std::chrono::steady_clock::time_point budgetEnd_;
  bool deferred_ = false;
};

/// An upper part of the session's image layers (app/core/layer_order.h): some of the image's
/// channels drawn at their own depth, adding onto what is below them.
struct ImagePart {
  std::vector<bool> channels;  ///< of the image's channels, those the part draws
  double depth = 0;
  double opacity = 1;
};

/// A layer drawing `part` of `base`'s image: its source, displays, plane and forced level, the
/// part's channels at the part's depth and opacity, adding (TileStyle::adds). The window and
/// off-screen renders make their upper parts here.
std::unique_ptr<ImageLayer> upperImageLayer(vtkRenderer* renderer, data::TileCache& cache,
                                            ImageLayer::Post post, std::function<void()> changed,
                                            const ImageLayer& base, const ImagePart& part);
/// One upperImageLayer for each of `parts`, in order, for an off-screen render of `base`.
std::vector<std::unique_ptr<ImageLayer>> upperImageLayers(vtkRenderer* renderer,
                                                          data::TileCache& cache,
                                                          const ImageLayer::Post& post,
                                                          const ImageLayer& base,
                                                          const std::vector<ImagePart>& parts);

}  // namespace tessera::render
