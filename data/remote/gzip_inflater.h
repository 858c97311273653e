#pragma once
/// Streaming gzip/deflate decoder for HTTP Content-Encoding (zlib). Not thread-safe: one per
/// response body. finish() reports a truncated stream, so a cut-off body is never mistaken
/// for a complete one.
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

namespace tessera::data {

class GzipInflater {
 public:
  GzipInflater();
  ~GzipInflater();
  GzipInflater(const GzipInflater&) = delete;
  GzipInflater& operator=(const GzipInflater&) = delete;

  /// Decodes `in`, passing output pieces to `out`; returns false (with error()) on corrupt
  /// input or when `out` returns false.
  bool feed(std::span<const std::uint8_t> in,
            const std::function<bool(std::span<const std::uint8_t>)>& out);
  /// True when the gzip trailer has been seen; otherwise error() says the body was truncated.
  bool finish();
  const std::string& error() const { return error_; }

 private:
  struct State;
  std::unique_ptr<State> state_;
  std::string error_;
  bool ended_ = false;
};

}  // namespace tessera::data
