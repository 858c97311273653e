#pragma once
/// Loading transcript points from a Xenium-style `transcripts.csv.gz` (header with
/// feature_name, x_location, y_location and optionally z_location, qv, cell_id and
/// overlaps_nucleus; quoted or bare fields). Gene names and cell ids are interned per file.
/// The calling thread inflates: the whole file at once with libdeflate when it fits in a quarter
/// of memory, else streaming with zlib. Blocks of whole lines are parsed on `executor` when one
/// is given (the caller's thread otherwise), then merged in file order.
/// Blocking; call from a worker, never the UI thread. `stop` cancels between blocks.
/// Errors name the file and, for bad rows, the line and field; a truncated gzip stream is
/// Errc::Corrupt "<file>: truncated gzip stream after N bytes of data".
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <stop_token>

#include "data/cells/cell_table.h"
#include "data/executor.h"

namespace tessera::data {

/// Progress of a load: `done` of `total` bytes, called on the loading thread, rising, ending
/// with done == total on success (for a file with rows). Whole-file loads count the inflated
/// bytes handed to the parsers (nothing is reported during the one-go inflate); streamed loads
/// count the compressed bytes read from the file.
using TranscriptsProgress = std::function<void(std::uint64_t done, std::uint64_t total)>;

/// `inflateBudget` caps the memory of the whole-file path (default: a quarter of memory; 0
/// always streams).
Expected<Transcripts> loadTranscriptsCsvGz(const std::filesystem::path& path,
                                           Executor* executor = nullptr,
                                           const std::stop_token& stop = {},
                                           std::optional<std::size_t> inflateBudget = {},
                                           const TranscriptsProgress& progress = {});

}  // namespace tessera::data
