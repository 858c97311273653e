#pragma once
/// Exact per-channel statistics of a stream of raw pixel values in bounded memory:
/// count, mean, population standard deviation (numpy's std, ddof = 0), min, max and the exact
/// median (numpy's: the mean of the two middle values when the count is even).
/// The median is found by radix selection over an order-preserving integer key of the raw value
/// (the value itself for integer types, the IEEE bits made sortable for floats): each pass
/// histograms 16 bits of the key (8 for 8-bit types) among the values that share the bits
/// already fixed, so 8/16-bit types need one pass over the data, 32-bit types two and 64-bit
/// types four, with two 65,536-bin histograms of memory. NaN values are skipped. Not
/// thread-safe; one instance per channel.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "data/dtype.h"

namespace tessera::data {

class ExactStats {
 public:
  explicit ExactStats(DType dtype);

  /// How many passes over the same values the median needs.
  int passes() const { return passes_; }
  /// Starts pass `p` (0 first; passes after the first only refine the median). Every pass must
  /// see the same values.
  void beginPass(int p);
  /// `n` raw values of the dtype, native-endian (unaligned is fine).
  void add(const std::uint8_t* values, std::size_t n);
  /// Whether the remaining passes can be skipped (no values, or the median is known).
  bool done() const;

  std::uint64_t count() const { return count_; }
  /// NaN when there are no values.
  double mean() const;
  double stddev() const;
  double min() const;
  double max() const;
  /// Exact once every pass has run (or done()); NaN when there are no values.
  double median() const;

 private:
  template <class T, class Key>
  void addTyped(const std::uint8_t* p, std::size_t n, Key key);
  void settleTargets();
  double keyValue(std::uint64_t key) const;

  DType dtype_;
  int keyBits_ = 16, digitBits_ = 16, passes_ = 1, pass_ = 0;
  std::uint64_t count_ = 0;
  double shift_ = 0, s1_ = 0, s2_ = 0, min_ = 0, max_ = 0;
  // The two middle ranks (equal for an odd count): the key bits found so far and the rank
  // still to find among values with those bits.
  struct Target {
    std::uint64_t prefix = 0;
    std::uint64_t rank = 0;
    std::vector<std::uint64_t> hist;
  };
  Target target_[2];
  bool sharedPrefix_ = true;
};

}  // namespace tessera::data
