#pragma once
/// Metadata of a multiscale 5D image, canonical order (t, c, z, y, x). Plain values, no I/O.
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "data/dtype.h"

namespace tessera::data {

enum Axis5 : int { kT = 0, kC = 1, kZ = 2, kY = 3, kX = 4 };
using Shape5 = std::array<std::int64_t, 5>;
using Vec5 = std::array<double, 5>;

struct LevelInfo {
  std::string path;                 ///< store key of the level (zarr path, IFD, ...)
  Shape5 shape{1, 1, 1, 1, 1};      ///< t, c, z, y, x
  Shape5 chunk{1, 1, 1, 1, 1};      ///< tile shape; readTile delivers y/x blocks of this size
  Vec5 scale{1, 1, 1, 1, 1};        ///< physical size of one element
  Vec5 translation{0, 0, 0, 0, 0};  ///< physical position of element 0
  std::string codec;                ///< chunk compression ("blosc", "gzip", ...), if known
};

struct ChannelInfo {
  std::string name;
  std::uint32_t color = 0xFFFFFF;               ///< 0xRRGGBB
  std::optional<std::array<double, 2>> window;  ///< start, end from metadata, if any
  std::optional<std::array<double, 2>> range;   ///< min, max from metadata, if any
  bool visible = true;
  bool inverted = false;
};

/// High-content screening plate layout (OME-NGFF `plate`); rows/columns are display names.
struct PlateWell {
  std::string path;                 ///< "A/1", relative to the plate group
  int row = 0;                      ///< index into PlateInfo::rows
  int column = 0;                   ///< index into PlateInfo::columns
  std::vector<std::string> fields;  ///< image paths relative to the well; empty if not read
};

struct PlateInfo {
  std::string name;
  std::vector<std::string> rows;
  std::vector<std::string> columns;
  std::vector<PlateWell> wells;
  int fieldCount = 0;       ///< declared field_count (0 if not given)
  std::string openedImage;  ///< store path of the field shown ("A/1/0")
  int openedWell = 0;       ///< index into wells of the well shown
  int openedField = 0;      ///< index into that well's fields of the field shown
};

/// Which image of a container to open; empty = the first one. Readers with one image accept
/// only series 0. `series` picks an OME-TIFF Image, a bioformats2raw series or a SpatialData
/// image element; `well` ("A/1", or row and column names run together, "A1") and `field` pick
/// an HCS plate field (`field` alone picks a field of a well group).
struct ImageSelection {
  std::optional<int> series;
  std::string well;
  std::optional<int> field;
  /// Read every plate well's field list (one metadata read per well, slow for remote plates
  /// with hundreds of wells); otherwise only the opened well's fields are listed.
  bool listPlateFields = false;
  /// Axis names for an array without axis metadata (bare zarr array, N5 dataset), one letter
  /// of t, c, z, y, x per dimension in stored (C) order, e.g. "tczyx"; empty = guess.
  std::string axes;
  bool empty() const { return !series && well.empty() && !field; }
};

/// An OME-NGFF label image listed under the image's `labels` group, with its `image-label`
/// metadata: a colour per label value (0xRRGGBBAA) and free-form properties per label value.
struct LabelImageInfo {
  std::string name;
  std::string path;  ///< store key of the label group, openable as an image
  std::map<std::int64_t, std::uint32_t> colors;
  std::map<std::int64_t, std::map<std::string, std::string>> properties;
};

struct ImageInfo {
  std::string format;                   ///< "ome-zarr 0.4", "ome-tiff", ...
  std::string source;                   ///< path or URL it came from
  std::vector<std::string> storedAxes;  ///< axis names in stored order, e.g. {"c","y","x"}
  bool axesGuessed = false;             ///< storedAxes were guessed from the shape alone
  std::string spaceUnit;                ///< unit of y/x scale ("micrometer"), may be empty
  DType dtype = DType::U16;
  std::vector<LevelInfo> levels;  ///< levels[0] is full resolution
  std::vector<ChannelInfo> channels;
  std::vector<std::string> labels;          ///< names of label images, if any
  std::vector<LabelImageInfo> labelImages;  ///< those whose group could be read
  std::vector<std::string> warnings;        ///< non-fatal problems met while opening
  /// The images of the container (bioformats2raw series, SpatialData images, OME-TIFF images,
  /// the fields of a well), as paths/names the reader understands, in container order.
  std::vector<std::string> series;
  std::size_t seriesIndex = 0;  ///< which of `series` is open
  /// Full-resolution t,c,z,y,x shape of each of `series` where the container states it
  /// cheaply (all zeros when unknown); empty when not known at all.
  std::vector<Shape5> seriesShapes;
  std::optional<PlateInfo> plate;  ///< set when a plate was opened (the image is one field)

  std::int64_t width(std::size_t level = 0) const { return levels.at(level).shape[kX]; }
  std::int64_t height(std::size_t level = 0) const { return levels.at(level).shape[kY]; }
};

}  // namespace tessera::data
