#include "data/arrays/array_image_source.h"

#include <algorithm>

#include "data/ome/channel_defaults.h"
#include "data/zarr/array_tile.h"

namespace tessera::data {
namespace {

// As for OME-Zarr: stored chunks larger than this along y or x are served as virtual tiles,
// so one tile request never decodes a whole huge plane.
constexpr std::int64_t kMaxTileEdge = 4096;
constexpr std::int64_t kVirtualTile = 1024;
constexpr std::int64_t kMaxChannels = 65536;

int slotOf(char a) {
  switch (a) {
    case 't':
      return kT;
    case 'c':
      return kC;
    case 'z':
      return kZ;
    case 'y':
      return kY;
    default:
      return kX;
  }
}

}  // namespace

Expected<std::string> guessAxes(std::span<const std::int64_t> shape, const std::string& where) {
  if (shape.size() == 2) return std::string("yx");
  if (shape.size() == 3) return std::string(shape[2] == 3 || shape[2] == 4 ? "yxc" : "cyx");
  return fail(Errc::InvalidArgument,
              where + ": a " + std::to_string(shape.size()) +
                  "-dimensional array without axis metadata; name its axes with --axes "
                  "(for example --axes " +
                  std::string("tczyx").substr(5 - std::min<std::size_t>(5, shape.size())) + ")");
}

Expected<std::string> checkAxes(const std::string& axes, std::size_t rank,
                                const std::string& where) {
  std::string out;
  for (char ch : axes)
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  const auto bad = [&](const std::string& why) {
    return fail(Errc::InvalidArgument, where + ": --axes " + axes + ": " + why);
  };
  if (out.size() != rank)
    return bad("names " + std::to_string(out.size()) + " axes but the array has " +
               std::to_string(rank) + " dimensions");
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (std::string("tczyx").find(out[i]) == std::string::npos)
      return bad(std::string("unknown axis '") + out[i] + "' (use t, c, z, y, x)");
    if (out.find(out[i]) != i) return bad(std::string("axis '") + out[i] + "' given twice");
  }
  if (out.find('y') == std::string::npos || out.find('x') == std::string::npos)
    return bad("y and x are required");
  return out;
}

Expected<std::string> unstackedAxes(const std::string& requested, std::size_t arrayRank,
                                    ArrayStack stack, const std::string& where) {
  const std::string lead = std::string(stack.t > 1 ? "t" : "") + (stack.c > 1 ? "c" : "");
  if (lead.empty() || requested.size() == arrayRank) return requested;
  if (requested.size() != arrayRank + lead.size())
    return fail(Errc::InvalidArgument,
                where + ": --axes " + requested + ": names " + std::to_string(requested.size()) +
                    " axes but the image has " + std::to_string(arrayRank + lead.size()) + " (" +
                    lead + " stacked from separate arrays, then " + std::to_string(arrayRank) +
                    " in each array)");
  std::string head;
  for (char ch : requested.substr(0, lead.size()))
    head += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (head != lead)
    return fail(Errc::InvalidArgument, where + ": --axes " + requested + ": the first axes are " +
                                           lead +
                                           " (timepoints and setups stacked from separate arrays)");
  return requested.substr(lead.size());
}

Expected<std::string> resolveAxes(const std::string& requested, std::span<const std::int64_t> shape,
                                  const std::string& where, bool& guessed) {
  guessed = requested.empty();
  return guessed ? guessAxes(shape, where) : checkAxes(requested, shape.size(), where);
}

Expected<std::shared_ptr<ArrayImageSource>> ArrayImageSource::create(
    std::shared_ptr<const Store> store, std::vector<ArrayLevel> levels, const std::string& axes,
    bool axesGuessed, ImageInfo info, const std::vector<double>& resolution, ArrayStack stack) {
  if (levels.empty()) return fail(Errc::InvalidArgument, info.source + ": no arrays");
  const ZarrArray& first = *levels.front().array;
  const std::size_t ndim = first.shape().size();
  const std::string where = storeKeyName(*store, levels.front().path);
  if (axes.size() != ndim)
    return fail(Errc::InvalidArgument, where + ": axes \"" + axes + "\" do not match its " +
                                           std::to_string(ndim) + " dimensions");
  if ((stack.t > 1 && axes.find('t') != std::string::npos) ||
      (stack.c > 1 && axes.find('c') != std::string::npos) || stack.t < 1 || stack.c < 1)
    return fail(Errc::InvalidArgument,
                where + ": axes \"" + axes + "\" name t or c, which the image stacks from arrays");
  std::shared_ptr<ArrayImageSource> src(new ArrayImageSource());
  src->stack_ = stack;
  const std::vector<ChannelInfo> givenChannels = std::move(info.channels);
  for (char a : axes)
    src->slots_.push_back(slotOf(a));
  info.dtype = first.dtype();
  info.axesGuessed = axesGuessed;
  // Stacked t and c come first, so `info` and Interpret Axes show every dimension.
  info.storedAxes.clear();
  if (stack.t > 1) info.storedAxes.emplace_back("t");
  if (stack.c > 1) info.storedAxes.emplace_back("c");
  for (char a : axes)
    info.storedAxes.emplace_back(1, a);
  for (const auto& lv : levels) {
    const ZarrArray& a = *lv.array;
    const std::string name = storeKeyName(*store, lv.path);
    if (a.shape().size() != ndim)
      return fail(Errc::Corrupt, name + ": has " + std::to_string(a.shape().size()) +
                                     " dimensions, level 0 has " + std::to_string(ndim));
    if (a.dtype() != info.dtype)
      return fail(Errc::Unsupported, name + ": is " + dtypeName(a.dtype()) + " but level 0 is " +
                                         dtypeName(info.dtype));
    if (lv.stacked.size() != static_cast<std::size_t>(stack.t * stack.c - 1))
      return fail(Errc::InvalidArgument, name + ": " + std::to_string(lv.stacked.size() + 1) +
                                             " arrays for a stack of " +
                                             std::to_string(stack.t * stack.c));
    for (const auto& part : lv.stacked)
      if (part.array->shape() != a.shape() || part.array->dtype() != a.dtype())
        return fail(Errc::Unsupported, storeKeyName(*store, part.path) +
                                           ": differs in shape or type from " + name +
                                           ", which it is stacked with");
    LevelInfo level;
    level.path = lv.path;
    level.shape[kT] = stack.t;
    level.shape[kC] = stack.c;
    level.codec = a.codecName();
    bool whole = true;
    for (std::size_t i = 0; i < ndim; ++i) {
      const int s = src->slots_[i];
      if (a.shape()[i] <= 0)
        return fail(Errc::Unsupported, name + ": is empty (dimension " + std::to_string(i) +
                                           " has size " + std::to_string(a.shape()[i]) + ")");
      level.shape[s] = a.shape()[i];
      level.chunk[s] = std::max<std::int64_t>(1, a.chunks()[i]);
      if (s >= kZ)
        level.scale[s] =
            lv.factors.size() == ndim && lv.factors[i] > 0
                ? lv.factors[i]
                : static_cast<double>(first.shape()[i]) / static_cast<double>(a.shape()[i]);
      if (resolution.size() == ndim && resolution[i] > 0) level.scale[s] *= resolution[i];
      if (s < kY && level.chunk[s] != 1) whole = false;
    }
    for (int s : {kY, kX}) {
      if (level.chunk[s] > kMaxTileEdge) {
        level.chunk[s] = kVirtualTile;
        whole = false;
      }
    }
    src->wholeChunkTiles_.push_back(whole);
    info.levels.push_back(level);
  }
  const std::int64_t channels = info.levels[0].shape[kC];
  if (channels > kMaxChannels)
    return fail(Errc::Unsupported, where + ": " + std::to_string(channels) + " channels (at most " +
                                       std::to_string(kMaxChannels) + ")");
  info.channels = defaultChannels(static_cast<std::size_t>(channels));
  if (givenChannels.size() == info.channels.size())
    for (std::size_t c = 0; c < givenChannels.size(); ++c)
      info.channels[c].name = givenChannels[c].name;
  if (axesGuessed && axes == "yxc") {  // the guess says RGB(A)
    const char* names[] = {"red", "green", "blue", "alpha"};
    const std::uint32_t colors[] = {0xFF0000, 0x00FF00, 0x0000FF, 0xFFFFFF};
    for (std::size_t c = 0; c < info.channels.size() && c < 4; ++c) {
      info.channels[c].name = names[c];
      info.channels[c].color = colors[c];
      info.channels[c].visible = c < 3;
    }
  }
  if (info.dtype == DType::U8)
    for (auto& ch : info.channels)
      ch.window = std::array<double, 2>{0, 255};
  src->store_ = std::move(store);
  src->info_ = std::move(info);
  src->levels_ = std::move(levels);
  return src;
}

Expected<Tile> ArrayImageSource::readTile(const TileKey& key, const std::stop_token& stop) const {
  if (stop.stop_requested()) return fail(Errc::Cancelled, info_.source + ": tile read cancelled");
  if (key.level < 0 || static_cast<std::size_t>(key.level) >= levels_.size())
    return fail(Errc::InvalidArgument, info_.source + ": no level " + std::to_string(key.level));
  const auto l = static_cast<std::size_t>(key.level);
  const ArrayLevel& level = levels_[l];
  const ZarrArray* array = level.array.get();
  const std::string* path = &level.path;
  if (!level.stacked.empty()) {
    // t and c pick the array; its own axes hold neither, so the key reads within it as is.
    if (key.t < 0 || key.t >= stack_.t || key.c < 0 || key.c >= stack_.c)
      return fail(Errc::InvalidArgument,
                  storeKeyName(*store_, level.path) + ": tile t/c out of range");
    const auto part = static_cast<std::size_t>(key.t * stack_.c + key.c);
    if (part > 0) {
      array = level.stacked[part - 1].array.get();
      path = &level.stacked[part - 1].path;
    }
  }
  return readArrayTile(*array, info_.levels[l], slots_, wholeChunkTiles_[l], info_.dtype, key, stop,
                       storeKeyName(*store_, *path));
}

}  // namespace tessera::data
