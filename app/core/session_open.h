#pragma once
/// Opening as a transaction: inputs the user names (paths, URLs, "demo") or the datasets of a
/// saved session are opened in full in the background, then described as one new Session and
/// what the window or `tessera render` shows of it. Nothing of a previous session takes part, so
/// the caller replaces its session only when this succeeds, and keeps it when it fails.
/// Blocking: call on AppContext::jobPool or the CLI's thread, never on the GUI thread.
#include <atomic>
#include <string>
#include <vector>

#include "app/core/dataset_loader.h"
#include "data/session/session.h"

namespace tessera::app {

struct OpenedSession {
  data::Session session;  ///< without the datasets that failed to open
  OpenedDataset shown;    ///< the image (with its labels) and the linked table to show
  /// One line per dataset that did not open or was refused, naming it; the rest opened.
  std::vector<std::string> errors;
};

/// The inputs as a new session: one dataset per input; the first image is shown with its
/// channels at their defaults and the first table is paired with it. A table from another input
/// whose cells fall outside that image (and that nothing places on it) is refused, naming both.
/// Fails (with every input's error) when nothing opens; `cancel` stops between inputs.
/// `table` picks the table of the first input when it is a SpatialData store (openDataset).
data::Expected<OpenedSession> openInputsAsSession(const std::vector<std::string>& inputs,
                                                  const data::ImageSelection& select,
                                                  AppContext& ctx,
                                                  const data::DemoProgress& progress = {},
                                                  const std::atomic<bool>* cancel = nullptr,
                                                  const std::string& table = {});

/// Opens the datasets of a saved session. A missing dataset is reported by name and its layers
/// are left out; the rest opens. Fails when no dataset opens.
data::Expected<OpenedSession> openSession(data::Session session, AppContext& ctx,
                                          const data::DemoProgress& progress = {},
                                          const std::atomic<bool>* cancel = nullptr);

/// What File ▸ Add… adds to the current session: one dataset with its layer (and pairing), and
/// what the window must load to draw it.
struct AddedDataset {
  data::SessionDataset dataset;
  std::vector<data::SessionLayer> layers;
  std::optional<data::TablePairing> pairing;
  std::filesystem::path cells;  ///< the table to load for the new cells layer
  std::string cellsFrame;
};

/// An image fits on the shown one when it has the same time points and z planes and, placed by
/// its physical pixel size and offset (data::imagePixelsTo), covers some of it; otherwise the
/// error names both and why.
data::Expected<void> imageFitsImage(const data::TileSource& added, const data::TileSource& shown,
                                    const std::string& addedName, const std::string& shownName);

/// Opens `input` to add it to `session`, whose shown image is `shown` (File ▸ Add…). A table
/// joins as a cells layer, paired with the shown image when its cells fit on it; a table that
/// does not fit is refused naming both (open it by itself instead). An image joins as an image
/// layer whose channels are drawn with the shown image's (placed by its physical pixel size and
/// offset, resampled onto the shown image's grid) when it fits (imageFitsImage). Refused too: an
/// image that brings a table, and a second table while one is shown (remove its layer first),
/// each with the reason. Blocking: call on AppContext::jobPool.
data::Expected<AddedDataset> openInputToAdd(const data::Session& session,
                                            const OpenedDataset& shown, const std::string& input,
                                            AppContext& ctx,
                                            const std::atomic<bool>* cancel = nullptr);

/// The dataset record of an input as the user gave it (path made absolute, URL, or "demo"),
/// with the SpatialData table asked for.
data::SessionDataset datasetOfInput(const std::string& input, const OpenedDataset& opened,
                                    const data::ImageSelection& select);

/// Refuses a table from another dataset than the image when most of its cells lie outside the
/// image (`w` x `h` level-0 px). Reads the table on ctx.hdf5Pool.
data::Expected<void> checkTableFitsImage(const std::filesystem::path& table,
                                         const std::string& tableName, const std::string& imageName,
                                         double w, double h, AppContext& ctx,
                                         const std::optional<data::Affine2D>& placement = {});

}  // namespace tessera::app
