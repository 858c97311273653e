#pragma once
/// Recognising a multiscale pyramid among sibling arrays that carry no multiscales metadata
/// (a zarr group of arrays, an N5 group of datasets): same rank and dtype, and each array half
/// the previous one along y and x (rounded either way), equal along the other axes. Pure.
#include <cstdint>
#include <string>
#include <vector>

#include "data/dtype.h"

namespace tessera::data {

struct ArrayShapeInfo {
  std::string name;
  std::vector<std::int64_t> shape;  ///< C order
  DType dtype = DType::U8;
};

/// True when `next` is `prev` halved along the dimensions `spatial` marks (rounded up or down)
/// and equal along the others.
bool isHalfStep(const std::vector<std::int64_t>& prev, const std::vector<std::int64_t>& next,
                const std::vector<bool>& spatial);

/// The arrays from largest to smallest (by element count).
std::vector<std::size_t> largestFirst(const std::vector<ArrayShapeInfo>& arrays);

/// `order` (largest first) when all the arrays form one 2× pyramid whose dimensions are named
/// by `axes` (one of t, c, z, y, x each): y and x halve at every step, z halves or stays, the
/// others stay. Empty when they do not, or there are fewer than two arrays.
std::vector<std::size_t> pyramidOrder(const std::vector<ArrayShapeInfo>& arrays,
                                      const std::vector<std::size_t>& order,
                                      const std::string& axes);

}  // namespace tessera::data
