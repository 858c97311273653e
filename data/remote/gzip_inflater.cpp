#include "data/remote/gzip_inflater.h"

#include <zlib.h>

#include <array>

namespace tessera::data {

struct GzipInflater::State {
  z_stream z{};
  bool ok = false;
};

GzipInflater::GzipInflater() : state_(std::make_unique<State>()) {
  // 15 + 32: zlib detects gzip or zlib headers by itself.
  state_->ok = inflateInit2(&state_->z, 15 + 32) == Z_OK;
  if (!state_->ok) error_ = "cannot initialise zlib";
}

GzipInflater::~GzipInflater() {
  if (state_->ok) inflateEnd(&state_->z);
}

bool GzipInflater::feed(std::span<const std::uint8_t> in,
                        const std::function<bool(std::span<const std::uint8_t>)>& out) {
  if (!state_->ok) return false;
  if (ended_) {
    if (in.empty()) return true;
    error_ = "gzip body has data after its end";
    return false;
  }
  std::array<std::uint8_t, 64 * 1024> buf;
  z_stream& z = state_->z;
  z.next_in = const_cast<Bytef*>(in.data());
  z.avail_in = static_cast<uInt>(in.size());
  while (z.avail_in > 0 || z.avail_out == 0) {
    z.next_out = buf.data();
    z.avail_out = static_cast<uInt>(buf.size());
    const int rc = inflate(&z, Z_NO_FLUSH);
    const std::size_t produced = buf.size() - z.avail_out;
    if (produced && !out(std::span<const std::uint8_t>(buf.data(), produced))) return false;
    if (rc == Z_STREAM_END) {
      ended_ = true;
      if (z.avail_in > 0) {
        error_ = "gzip body has data after its end";
        return false;
      }
      return true;
    }
    if (rc == Z_BUF_ERROR && z.avail_in == 0) break;
    if (rc != Z_OK) {
      error_ = std::string("corrupt gzip body: ") + (z.msg ? z.msg : "inflate failed");
      return false;
    }
    if (z.avail_in == 0 && z.avail_out != 0) break;
  }
  return true;
}

bool GzipInflater::finish() {
  if (!ended_ && error_.empty()) error_ = "gzip body is truncated";
  return ended_;
}

}  // namespace tessera::data
