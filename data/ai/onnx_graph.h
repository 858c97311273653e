#pragma once
/// What Tessera needs to know about an ONNX model before running it, read straight from the
/// protobuf bytes (a small wire-format reader; no protobuf library): the graph's real inputs
/// and outputs with their shapes, the operators it uses, and its receptive field.
///
/// The receptive field is propagated through the graph in node order (ONNX requires
/// topological order): each tensor carries a halo (how many input pixels beyond an output pixel
/// can influence it, on either side) and a jump (input pixels per element). Conv, ConvTranspose
/// and the pooling operators add max(pad_begin, extent - pad_begin) * jump, where extent is
/// (kernel - 1) * dilation; strides multiply the jump. A node's halo is the largest of its data
/// inputs'. Global operators (GlobalAveragePool, reductions over space, ...) make the field the
/// whole image: `globalOperator` names the first one. Pure functions; thread-safe.
/// Errors: Errc::Corrupt "<what>: not a valid ONNX model (...)" when the bytes do not parse.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "data/error.h"

namespace tessera::data::ai {

struct OnnxTensorInfo {
  std::string name;
  int elemType = 0;                ///< ONNX TensorProto.DataType (1 = float)
  std::vector<std::int64_t> dims;  ///< -1 where the dimension is symbolic or absent
};

struct OnnxGraphInfo {
  std::int64_t opset = 0;
  std::vector<OnnxTensorInfo> inputs;  ///< graph inputs that are not initializers
  std::vector<OnnxTensorInfo> outputs;
  std::vector<std::string> operators;  ///< distinct op_type values, in first-use order
  std::int64_t halo = 0;               ///< receptive-field half-width, input pixels
  std::int64_t downsampling = 1;       ///< largest product of strides on any path
  std::string globalOperator;          ///< first operator with a whole-image field, or ""
  /// op_type of the first Conv/pool node without kernel_shape (OpenCV 4.6 needs it), or "".
  std::string nodeWithoutKernelShape;
};

/// Parses `bytes` of an ONNX ModelProto; `what` names the file in errors.
Expected<OnnxGraphInfo> readOnnxGraph(std::span<const std::uint8_t> bytes, const std::string& what);

}  // namespace tessera::data::ai
