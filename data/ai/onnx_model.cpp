#include "data/ai/onnx_model.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <regex>

#include <opencv2/dnn.hpp>

namespace tessera::data::ai {

struct OnnxNetPool::Slot {
  cv::dnn::Net net;
  std::vector<cv::String> outputNames;
};

namespace {

std::string firstLine(const std::string& s) {
  std::string line = s.substr(0, s.find('\n'));
  return line.size() > 300 ? line.substr(0, 300) + "..." : line;
}

// OpenCV names an operator it cannot create in several ways depending on where the importer
// gives up; the graph's own operator list confirms the name.
std::string missingOperator(const std::string& message, const OnnxGraphInfo& graph) {
  static const std::regex patterns[] = {std::regex(R"re(of type "?([A-Za-z0-9_]+)"?)re"),
                                        std::regex(R"(\[([A-Za-z0-9_]+)@)"),
                                        std::regex(R"(\[([A-Za-z0-9_]+)\]:\()")};
  for (const auto& re : patterns) {
    std::smatch m;
    if (std::regex_search(message, m, re)) {
      const std::string op = m[1];
      if (std::find(graph.operators.begin(), graph.operators.end(), op) != graph.operators.end())
        return op;
    }
  }
  return {};
}

Error importError(const ModelSpec& spec, const cv::Exception& e) {
  const std::string op = missingOperator(e.what(), spec.graph);
  if (!op.empty())
    return {Errc::Unsupported,
            spec.source + ": OpenCV DNN cannot run the ONNX operator " + op + " used by the model"};
  return {Errc::Unsupported, spec.source + ": OpenCV DNN cannot load the model: " +
                                 firstLine(e.err.empty() ? e.what() : e.err)};
}

Expected<std::unique_ptr<OnnxNetPool::Slot>> makeSlot(const ModelSpec& spec) {
  auto slot = std::make_unique<OnnxNetPool::Slot>();
  try {
    slot->net =
        cv::dnn::readNetFromONNX(reinterpret_cast<const char*>(spec.onnx.data()), spec.onnx.size());
    slot->net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    slot->net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
  } catch (const cv::Exception& e) {
    return std::unexpected(importError(spec, e));
  }
  if (slot->net.empty())
    return fail(Errc::Unsupported, spec.source + ": OpenCV DNN could not load the model");
  // OpenCV names a layer after its node's first output; an output that is not one is reached
  // through the unconnected outputs, which keep graph order.
  const auto unconnected = slot->net.getUnconnectedOutLayersNames();
  for (std::size_t i = 0; i < spec.outputs.size(); ++i) {
    const auto& name = spec.outputs[i].name;
    if (slot->net.getLayerId(name) >= 0)
      slot->outputNames.push_back(name);
    else if (i < unconnected.size())
      slot->outputNames.push_back(unconnected[i]);
    else
      return fail(Errc::Unsupported,
                  spec.source + ": OpenCV DNN does not expose the model output " + name);
  }
  return slot;
}

int axisIndex(const std::string& axes, char a) {
  const auto p = axes.find(a);
  return p == std::string::npos ? -1 : static_cast<int>(p);
}

// Planar C×H×W images to a blob in the tensor's axis order (b and z of size 1).
cv::Mat toBlob(const Planes& planes, const TensorSpec& t) {
  const int C = static_cast<int>(planes.size());
  const int H = planes[0].rows, W = planes[0].cols;
  std::vector<int> shape;
  for (char a : t.axes)
    shape.push_back(a == 'c' ? C : a == 'y' ? H : a == 'x' ? W : 1);
  cv::Mat blob(static_cast<int>(shape.size()), shape.data(), CV_32F);
  const int ci = axisIndex(t.axes, 'c'), yi = axisIndex(t.axes, 'y'), xi = axisIndex(t.axes, 'x');
  std::vector<std::size_t> stride(shape.size(), 1);
  for (int i = static_cast<int>(shape.size()) - 2; i >= 0; --i)
    stride[i] = stride[i + 1] * static_cast<std::size_t>(shape[i + 1]);
  float* out = blob.ptr<float>();
  for (int c = 0; c < C; ++c)
    for (int y = 0; y < H; ++y) {
      const float* row = planes[c].ptr<float>(y);
      std::size_t base = (ci >= 0 ? c * stride[ci] : 0) + y * stride[yi];
      if (stride[xi] == 1)
        std::copy(row, row + W, out + base);
      else
        for (int x = 0; x < W; ++x)
          out[base + x * stride[xi]] = row[x];
    }
  return blob;
}

Expected<Planes> fromBlob(const cv::Mat& blob, const TensorSpec& t, int H, int W,
                          const std::string& source) {
  if (blob.dims != static_cast<int>(t.axes.size()) || blob.type() != CV_32F)
    return fail(Errc::Unsupported, source + ": output " + t.name + " has " +
                                       std::to_string(blob.dims) + " dimensions, the model says " +
                                       std::to_string(t.axes.size()) + " (" + t.axes + ")");
  const int ci = axisIndex(t.axes, 'c'), yi = axisIndex(t.axes, 'y'), xi = axisIndex(t.axes, 'x');
  if (yi < 0 || xi < 0 || blob.size[yi] != H || blob.size[xi] != W)
    return fail(Errc::Unsupported,
                source + ": output " + t.name + " is not on the input's pixel grid (" +
                    (yi >= 0 && xi >= 0
                         ? std::to_string(blob.size[xi]) + "x" + std::to_string(blob.size[yi])
                         : std::string("no y/x axes")) +
                    " for an input of " + std::to_string(W) + "x" + std::to_string(H) + ")");
  const int C = ci >= 0 ? blob.size[ci] : 1;
  std::vector<std::size_t> stride(t.axes.size(), 1);
  for (int i = static_cast<int>(t.axes.size()) - 2; i >= 0; --i)
    stride[i] = stride[i + 1] * static_cast<std::size_t>(blob.size[i + 1]);
  const cv::Mat cont = blob.isContinuous() ? blob : blob.clone();
  const float* in = cont.ptr<float>();
  Planes out;
  for (int c = 0; c < C; ++c) {
    cv::Mat p(H, W, CV_32F);
    for (int y = 0; y < H; ++y) {
      float* row = p.ptr<float>(y);
      const std::size_t base = (ci >= 0 ? c * stride[ci] : 0) + y * stride[yi];
      for (int x = 0; x < W; ++x)
        row[x] = in[base + x * stride[xi]];
    }
    out.push_back(std::move(p));
  }
  return out;
}

std::int64_t dimOf(const OnnxTensorInfo& t, std::size_t i) {
  return i < t.dims.size() ? t.dims[i] : -1;
}

}  // namespace

std::int64_t validSize(const TensorSpec& t, int axis, std::int64_t want) {
  const std::int64_t mn = t.minSize[axis], st = t.step[axis];
  if (st <= 0) return mn;
  if (want <= mn) return std::max<std::int64_t>(mn, 1);
  return mn + (want - mn + st - 1) / st * st;
}

Expected<ModelSpec> modelFromOnnxBytes(std::vector<std::uint8_t> bytes, const std::string& what) {
  auto graph = readOnnxGraph(bytes, what);
  if (!graph) return std::unexpected(graph.error());
  ModelSpec spec;
  spec.source = what;
  spec.name = std::filesystem::path(what).stem().string();
  // OpenCV's verdict on operators comes first: it is the most useful thing to say.
  try {
    auto net = cv::dnn::readNetFromONNX(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  } catch (const cv::Exception& e) {
    ModelSpec named;
    named.source = what;
    named.graph = *graph;
    return std::unexpected(importError(named, e));
  }
  spec.onnx = std::move(bytes);
  spec.graph = std::move(*graph);
  if (spec.graph.inputs.size() != 1)
    return fail(Errc::Unsupported, what + ": the model has " +
                                       std::to_string(spec.graph.inputs.size()) +
                                       " inputs; Tessera runs models with one image input");
  const auto& in = spec.graph.inputs[0];
  if (in.dims.size() != 4)
    return fail(Errc::Unsupported, what + ": the model input " + in.name + " has " +
                                       std::to_string(in.dims.size()) +
                                       " dimensions; a bare .onnx must take (batch, channel, y, x)"
                                       " (an rdf.yaml can describe other axes)");
  if (in.elemType != 0 && in.elemType != 1)
    return fail(Errc::Unsupported, what + ": the model input " + in.name +
                                       " is not float32 (ONNX type " + std::to_string(in.elemType) +
                                       ")");
  spec.input.name = in.name;
  spec.input.axes = "bcyx";
  spec.input.channels = dimOf(in, 1) > 0 ? dimOf(in, 1) : 1;
  for (int a = 0; a < 2; ++a) {
    const auto d = dimOf(in, 2 + a);
    spec.input.minSize[a] = d > 0 ? d : spec.graph.downsampling;
    spec.input.step[a] = d > 0 ? 0 : spec.graph.downsampling;
  }
  for (const auto& o : spec.graph.outputs) {
    TensorSpec t;
    t.name = o.name;
    t.axes = o.dims.size() == 3 ? "cyx" : "bcyx";
    if (o.dims.size() != 4 && o.dims.size() != 3 && !o.dims.empty())
      return fail(Errc::Unsupported, what + ": the model output " + o.name + " has " +
                                         std::to_string(o.dims.size()) +
                                         " dimensions; Tessera writes image outputs (b, c, y, x)");
    const auto c = dimOf(o, t.axes.size() == 4 ? 1 : 0);
    t.channels = c > 0 ? c : 0;  // 0: learnt by probeModel
    spec.outputs.push_back(std::move(t));
  }
  if (!spec.graph.nodeWithoutKernelShape.empty())
    return fail(Errc::Unsupported, what + ": the " + spec.graph.nodeWithoutKernelShape +
                                       " node has no kernel_shape attribute, which OpenCV DNN "
                                       "needs (export the model with kernel_shape set)");
  spec.halo = spec.graph.halo;
  if (!spec.graph.globalOperator.empty())
    spec.notes.push_back(what + ": the operator " + spec.graph.globalOperator +
                         " sees the whole input, so tiles cannot reproduce a whole-image run");
  return spec;
}

Expected<ModelSpec> modelFromOnnxFile(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec))
    return fail(Errc::NotFound, file.string() + ": no such file");
  std::ifstream f(file, std::ios::binary);
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(f)),
                                  std::istreambuf_iterator<char>());
  if (!f.good() && !f.eof()) return fail(Errc::Io, file.string() + ": cannot read");
  auto spec = modelFromOnnxBytes(std::move(bytes), file.string());
  if (!spec) return spec;
  if (auto ok = probeModel(*spec); !ok) return std::unexpected(ok.error());
  return spec;
}

Expected<void> probeModel(ModelSpec& spec) {
  Planes probe;
  const auto h = validSize(spec.input, 0, 32), w = validSize(spec.input, 1, 32);
  for (std::int64_t c = 0; c < spec.input.channels; ++c)
    probe.push_back(cv::Mat::zeros(static_cast<int>(h), static_cast<int>(w), CV_32F));
  auto open = std::make_shared<ModelSpec>(spec);
  for (auto& o : open->outputs)
    o.channels = 0;  // learn every output's channel count from the run
  OnnxNetPool pool(open);
  std::vector<std::int64_t> counts;
  auto out = pool.forward(probe, &counts);
  if (!out) return std::unexpected(out.error());
  for (std::size_t i = 0; i < spec.outputs.size(); ++i) {
    auto& o = spec.outputs[i];
    if (o.channels > 0 && o.channels != counts[i])
      return fail(Errc::Unsupported,
                  spec.source + ": output " + o.name + " has " + std::to_string(counts[i]) +
                      " channels, the description says " + std::to_string(o.channels));
    o.channels = counts[i];
  }
  return {};
}

OnnxNetPool::OnnxNetPool(std::shared_ptr<const ModelSpec> spec) : spec_(std::move(spec)) {}
OnnxNetPool::~OnnxNetPool() = default;

Expected<Planes> OnnxNetPool::forward(const Planes& input, std::vector<std::int64_t>* counts) {
  const auto& spec = *spec_;
  if (static_cast<std::int64_t>(input.size()) != spec.input.channels)
    return fail(Errc::InvalidArgument, spec.source + ": the model expects " +
                                           std::to_string(spec.input.channels) + " input channel" +
                                           (spec.input.channels == 1 ? "" : "s") + ", got " +
                                           std::to_string(input.size()));
  std::unique_ptr<Slot> slot;
  {
    std::lock_guard lock(mutex_);
    if (!free_.empty()) {
      slot = std::move(free_.back());
      free_.pop_back();
    }
  }
  if (!slot) {
    auto made = makeSlot(spec);
    if (!made) return std::unexpected(made.error());
    slot = std::move(*made);
  }
  const int H = input[0].rows, W = input[0].cols;
  std::vector<cv::Mat> blobs;
  try {
    slot->net.setInput(toBlob(input, spec.input), spec.input.name);
    slot->net.forward(blobs, slot->outputNames);
  } catch (const cv::Exception& e) {
    return fail(Errc::Unsupported, spec.source + ": OpenCV DNN failed on a " + std::to_string(W) +
                                       "x" + std::to_string(H) +
                                       " input: " + firstLine(e.err.empty() ? e.what() : e.err));
  }
  {
    std::lock_guard lock(mutex_);
    free_.push_back(std::move(slot));
  }
  Planes out;
  for (std::size_t i = 0; i < spec.outputs.size() && i < blobs.size(); ++i) {
    auto planes = fromBlob(blobs[i], spec.outputs[i], H, W, spec.source);
    if (!planes) return std::unexpected(planes.error());
    if (counts) counts->push_back(static_cast<std::int64_t>(planes->size()));
    if (spec.outputs[i].channels > 0 &&
        static_cast<std::int64_t>(planes->size()) != spec.outputs[i].channels)
      return fail(Errc::Unsupported, spec.source + ": output " + spec.outputs[i].name + " has " +
                                         std::to_string(planes->size()) +
                                         " channels, the model says " +
                                         std::to_string(spec.outputs[i].channels));
    for (auto& p : *planes)
      out.push_back(std::move(p));
  }
  return out;
}

}  // namespace tessera::data::ai
