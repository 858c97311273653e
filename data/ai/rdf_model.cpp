#include "data/ai/rdf_model.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>

#include "data/ai/onnx_model.h"
#include "data/ai/processing.h"

namespace tessera::data::ai {
namespace {

using Kind = ProcessingStep::Kind;

struct Ctx {
  std::string what;  // "<package>/rdf.yaml"
  Error unsupported(const std::string& why) const { return {Errc::Unsupported, what + ": " + why}; }
  Error invalid(const std::string& why) const { return {Errc::InvalidArgument, what + ": " + why}; }
};

std::string scalar(const YAML::Node& n, const std::string& fallback = {}) {
  return n && n.IsScalar() ? n.Scalar() : fallback;
}

double number(const YAML::Node& n, double fallback) {
  if (!n || !n.IsScalar()) return fallback;
  const std::string s = n.Scalar();
  if (s == "inf" || s == ".inf" || s == "Infinity") return INFINITY;
  if (s == "-inf" || s == "-.inf" || s == "-Infinity") return -INFINITY;
  try {
    return std::stod(s);
  } catch (...) {
    return fallback;
  }
}

std::vector<double> numbers(const YAML::Node& n) {
  std::vector<double> v;
  if (!n) return v;
  if (n.IsSequence()) {
    for (const auto& e : n) {
      if (e.IsSequence())  // nested per-axis lists (0.4 allows them): flatten
        for (const auto& f : e)
          v.push_back(number(f, 0));
      else
        v.push_back(number(e, 0));
    }
  } else {
    v.push_back(number(n, 0));
  }
  return v;
}

// True when statistics are taken per channel: the reduced axes leave out the channel axis.
bool perChannelAxes(const YAML::Node& axes) {
  if (!axes) return false;
  if (axes.IsScalar()) return axes.Scalar().find('c') == std::string::npos;
  for (const auto& a : axes) {
    const std::string s = scalar(a);
    if (s == "c" || s == "channel") return false;
  }
  return true;
}

Expected<ProcessingStep> readStep(const YAML::Node& n, bool output, const Ctx& ctx) {
  ProcessingStep s;
  s.name = scalar(n["id"], scalar(n["name"]));
  const YAML::Node k = n["kwargs"] ? n["kwargs"] : YAML::Node(YAML::NodeType::Map);
  const std::string mode = scalar(k["mode"], "per_sample");
  s.perChannel = perChannelAxes(k["axes"]);
  s.eps = number(k["eps"], 1e-6);
  if (s.name == "scale_range") {
    s.kind = Kind::ScaleRange;
    s.minPercentile = number(k["min_percentile"], 0);
    s.maxPercentile = number(k["max_percentile"], 100);
    if (k["reference_tensor"] && !scalar(k["reference_tensor"]).empty())
      return std::unexpected(
          ctx.unsupported("scale_range with a reference_tensor is not supported"));
  } else if (s.name == "zero_mean_unit_variance" || s.name == "fixed_zero_mean_unit_variance") {
    s.kind = Kind::ZeroMeanUnitVariance;
    if (s.name == "fixed_zero_mean_unit_variance" || mode == "fixed") {
      s.mean = numbers(k["mean"]);
      s.std = numbers(k["std"]);
      if (s.mean.empty() || s.std.size() != s.mean.size())
        return std::unexpected(ctx.invalid(s.name + " needs mean and std of equal length"));
      if (s.name == "fixed_zero_mean_unit_variance") s.eps = 0;  // 0.5 divides by std alone
    }
  } else if (s.name == "scale_linear") {
    s.kind = Kind::ScaleLinear;
    s.gain = k["gain"] ? numbers(k["gain"]) : std::vector<double>{1};
    s.offset = k["offset"] ? numbers(k["offset"]) : std::vector<double>{0};
  } else if (s.name == "clip") {
    s.kind = Kind::Clip;
    s.min = number(k["min"], -INFINITY);
    s.max = number(k["max"], INFINITY);
  } else if (s.name == "binarize") {
    s.kind = Kind::Binarize;
    s.threshold = numbers(k["threshold"]);
    if (s.threshold.empty()) return std::unexpected(ctx.invalid("binarize needs a threshold"));
  } else if (s.name == "sigmoid") {
    s.kind = Kind::Sigmoid;
  } else {
    return std::unexpected(ctx.unsupported("the " + std::string(output ? "post" : "pre") +
                                           "processing step \"" + s.name + "\" is not supported"));
  }
  if (s.kind == Kind::ScaleRange || s.kind == Kind::ZeroMeanUnitVariance) {
    if (mode == "per_dataset") s.name += " (per_dataset, computed over the region)";
  }
  if (output && s.needsStatistics())
    return std::unexpected(ctx.unsupported(
        "postprocessing " + s.name +
        " needs statistics of the whole output, which tiled prediction cannot provide"));
  return s;
}

Expected<std::vector<ProcessingStep>> readSteps(const YAML::Node& list, bool output,
                                                const Ctx& ctx) {
  std::vector<ProcessingStep> steps;
  if (!list) return steps;
  for (const auto& n : list) {
    const std::string id = scalar(n["id"], scalar(n["name"]));
    if (id == "ensure_dtype") continue;
    auto s = readStep(n, output, ctx);
    if (!s) return std::unexpected(s.error());
    steps.push_back(std::move(*s));
  }
  return steps;
}

// Axes of a 0.4 tensor ("bcyx") or a 0.5 one (list of {type, id, size, channel_names, halo}).
Expected<void> readAxes(const YAML::Node& t, TensorSpec& spec, bool output, const Ctx& ctx) {
  const YAML::Node axes = t["axes"];
  if (!axes) return std::unexpected(ctx.invalid("tensor " + spec.name + " has no axes"));
  spec.axes.clear();
  std::vector<std::int64_t> shapeMin, shapeStep;
  if (axes.IsScalar()) {  // 0.4
    spec.axes = axes.Scalar();
    const YAML::Node shape = t["shape"];
    if (shape && shape.IsSequence()) {
      for (const auto& d : shape)
        shapeMin.push_back(static_cast<std::int64_t>(number(d, 0)));
      shapeStep.assign(shapeMin.size(), 0);
    } else if (shape && shape.IsMap() && shape["min"]) {
      for (double d : numbers(shape["min"]))
        shapeMin.push_back(static_cast<std::int64_t>(d));
      for (double d : numbers(shape["step"]))
        shapeStep.push_back(static_cast<std::int64_t>(d));
    } else if (shape && shape.IsMap() && shape["reference_tensor"]) {
      const auto scale = numbers(shape["scale"]);
      const auto offset = numbers(shape["offset"]);
      for (std::size_t i = 0; i < spec.axes.size(); ++i) {
        const char a = spec.axes[i];
        if ((a == 'x' || a == 'y') &&
            ((i < scale.size() && scale[i] != 1) || (i < offset.size() && offset[i] != 0)))
          return std::unexpected(ctx.unsupported(
              "output " + spec.name +
              " is not on the input's pixel grid (scale/offset); Tessera writes outputs at the "
              "input's size"));
      }
    }
    if (const YAML::Node halo = t["halo"]; halo && output) {
      const auto h = numbers(halo);
      for (std::size_t i = 0; i < h.size() && i < spec.axes.size(); ++i)
        if (spec.axes[i] == 'x' || spec.axes[i] == 'y')
          spec.halo = std::max(spec.halo, static_cast<std::int64_t>(h[i]));
    }
    const auto c = spec.axes.find('c');
    if (c != std::string::npos && c < shapeMin.size() &&
        (c >= shapeStep.size() || shapeStep[c] == 0))
      spec.channels = shapeMin[c];
    for (int a = 0; a < 2; ++a) {
      const auto p = spec.axes.find(a == 0 ? 'y' : 'x');
      if (p == std::string::npos || p >= shapeMin.size()) continue;
      spec.minSize[a] = shapeMin[p];
      spec.step[a] = p < shapeStep.size() ? shapeStep[p] : 0;
    }
  } else {  // 0.5
    for (const auto& a : axes) {
      const std::string type = a.IsScalar() ? a.Scalar() : scalar(a["type"]);
      const std::string id = a.IsScalar() ? a.Scalar() : scalar(a["id"], type);
      char letter = 0;
      if (type == "batch")
        letter = 'b';
      else if (type == "channel")
        letter = 'c';
      else if (type == "space" && (id == "y" || id == "x" || id == "z"))
        letter = id[0];
      else if (type == "index" || type == "time")
        letter = type == "index" ? 'i' : 't';
      else
        return std::unexpected(
            ctx.unsupported("tensor " + spec.name + " has an axis \"" + id + "\" of type " + type));
      spec.axes += letter;
      if (letter == 'c') {
        if (const YAML::Node names = a["channel_names"]; names && names.IsSequence()) {
          spec.channelNames.clear();
          for (const auto& n : names)
            spec.channelNames.push_back(scalar(n));
          spec.channels = static_cast<std::int64_t>(spec.channelNames.size());
        } else if (a["size"] && a["size"].IsScalar()) {
          spec.channels = static_cast<std::int64_t>(number(a["size"], 1));
        }
      }
      if (letter == 'y' || letter == 'x') {
        const int i = letter == 'y' ? 0 : 1;
        const YAML::Node size = a["size"];
        if (size && size.IsScalar()) {
          spec.minSize[i] = static_cast<std::int64_t>(number(size, 0));
          spec.step[i] = 0;
        } else if (size && size.IsMap() && size["min"]) {
          spec.minSize[i] = static_cast<std::int64_t>(number(size["min"], 1));
          spec.step[i] = static_cast<std::int64_t>(number(size["step"], 1));
        }
        if (output && a["halo"])
          spec.halo = std::max(spec.halo, static_cast<std::int64_t>(number(a["halo"], 0)));
        if (output && a["scale"] && number(a["scale"], 1) != 1)
          return std::unexpected(ctx.unsupported("output " + spec.name +
                                                 " is scaled against the input; Tessera writes "
                                                 "outputs at the input's size"));
      }
    }
  }
  for (char a : spec.axes)
    if (a != 'b' && a != 'c' && a != 'y' && a != 'x' && a != 'z' && a != 'i' && a != 't')
      return std::unexpected(ctx.unsupported("tensor " + spec.name + " has an unknown axis '" +
                                             std::string(1, a) + "'"));
  if (spec.axes.find('y') == std::string::npos || spec.axes.find('x') == std::string::npos)
    return std::unexpected(ctx.unsupported("tensor " + spec.name + " has axes " + spec.axes +
                                           "; Tessera runs models on 2-D images (y and x)"));
  // z, index and time axes are fed with size 1: Tessera runs one plane at a time.
  for (char& a : spec.axes)
    if (a == 'i' || a == 't') a = 'b';
  return {};
}

std::optional<std::array<double, 2>> readRange(const YAML::Node& t) {
  // yaml-cpp nodes are references: assigning one would write into the document, so pick
  // the node by construction.
  const YAML::Node r = t["data_range"] ? t["data_range"]
                       : t["data"]     ? t["data"]["range"]
                                       : YAML::Node();
  if (!r || !r.IsSequence() || r.size() != 2) return std::nullopt;
  return std::array<double, 2>{number(r[0], -INFINITY), number(r[1], INFINITY)};
}

std::string testTensor(const YAML::Node& t) {
  const YAML::Node tt = t["test_tensor"];
  if (!tt) return {};
  return tt.IsScalar() ? tt.Scalar() : scalar(tt["source"]);
}

// Test tensor in the tensor's axis order → planar C×H×W (b, z of size 1).
Expected<Planes> planesOf(const NpyArray& a, const TensorSpec& t, const std::string& what) {
  if (a.shape.size() != t.axes.size())
    return fail(Errc::InvalidArgument, what + ": test tensor has " +
                                           std::to_string(a.shape.size()) +
                                           " dimensions for axes " + t.axes);
  std::int64_t C = 1, H = 1, W = 1;
  std::vector<std::size_t> stride(a.shape.size(), 1);
  for (int i = static_cast<int>(a.shape.size()) - 2; i >= 0; --i)
    stride[i] = stride[i + 1] * static_cast<std::size_t>(a.shape[i + 1]);
  std::size_t sc = 0, sy = 0, sx = 0;
  for (std::size_t i = 0; i < t.axes.size(); ++i) {
    const char ax = t.axes[i];
    if (ax == 'c') {
      C = a.shape[i];
      sc = stride[i];
    } else if (ax == 'y') {
      H = a.shape[i];
      sy = stride[i];
    } else if (ax == 'x') {
      W = a.shape[i];
      sx = stride[i];
    } else if (a.shape[i] != 1) {
      return fail(Errc::InvalidArgument, what + ": test tensor axis " + std::string(1, ax) +
                                             " has size " + std::to_string(a.shape[i]) +
                                             "; Tessera runs one image at a time");
    }
  }
  Planes out;
  for (std::int64_t c = 0; c < C; ++c) {
    cv::Mat p(static_cast<int>(H), static_cast<int>(W), CV_32F);
    for (std::int64_t y = 0; y < H; ++y)
      for (std::int64_t x = 0; x < W; ++x)
        p.at<float>(static_cast<int>(y), static_cast<int>(x)) =
            a.values[c * sc + static_cast<std::size_t>(y) * sy + static_cast<std::size_t>(x) * sx];
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

Expected<RdfModel> readRdfModel(std::shared_ptr<const ModelPackage> package) {
  Ctx ctx{package->location() + "/" + package->descriptionName()};
  auto text = package->read(package->descriptionName());
  if (!text) return std::unexpected(text.error());
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text->begin(), text->end()));
  } catch (const YAML::Exception& e) {
    return fail(Errc::Corrupt, ctx.what + ": not valid YAML (line " +
                                   std::to_string(e.mark.line + 1) + ": " + e.msg + ")");
  }
  if (!root.IsMap()) return fail(Errc::Corrupt, ctx.what + ": not a model description");
  RdfModel m;
  m.package = package;
  m.formatVersion = scalar(root["format_version"]);
  const std::string type = scalar(root["type"], "model");
  if (type != "model")
    return std::unexpected(ctx.unsupported("describes a " + type + ", not a model"));
  if (!(m.formatVersion.starts_with("0.4") || m.formatVersion.starts_with("0.5")))
    return std::unexpected(ctx.unsupported(
        "model format " + (m.formatVersion.empty() ? std::string("(none)") : m.formatVersion) +
        " (Tessera reads 0.4 and 0.5)"));
  try {
    // Weights: only ONNX is run; say what the package has otherwise.
    const YAML::Node weights = root["weights"];
    if (!weights || !weights.IsMap()) return std::unexpected(ctx.invalid("no weights entry"));
    if (!weights["onnx"]) {
      std::string present;
      for (const auto& w : weights)
        present += (present.empty() ? "" : ", ") + w.first.Scalar();
      return std::unexpected(ctx.unsupported("no ONNX weights (the package has " +
                                             (present.empty() ? "none" : present) +
                                             "); Tessera runs ONNX weights only"));
    }
    const std::string onnxFile = scalar(weights["onnx"]["source"]);
    if (onnxFile.empty()) return std::unexpected(ctx.invalid("the onnx weights have no source"));
    auto onnx = package->read(onnxFile);
    if (!onnx) return std::unexpected(onnx.error());
    auto spec = modelFromOnnxBytes(std::move(*onnx), package->location() + "/" + onnxFile);
    if (!spec) return std::unexpected(spec.error());
    m.spec = std::move(*spec);
    m.spec.name = scalar(root["name"], m.spec.name);
    m.spec.source = package->location();
    ctx.what = package->location();

    const YAML::Node inputs = root["inputs"], outputs = root["outputs"];
    if (!inputs || !inputs.IsSequence() || inputs.size() != 1)
      return std::unexpected(ctx.unsupported("the model has " +
                                             std::to_string(inputs ? inputs.size() : 0) +
                                             " inputs; Tessera runs models with one image input"));
    if (!outputs || !outputs.IsSequence() || outputs.size() != m.spec.outputs.size())
      return std::unexpected(
          ctx.invalid("the description lists " + std::to_string(outputs ? outputs.size() : 0) +
                      " outputs and the ONNX graph has " + std::to_string(m.spec.outputs.size())));
    const YAML::Node in = inputs[0];
    TensorSpec input;
    input.name = m.spec.input.name;  // the graph's name is what OpenCV knows
    input.channels = 1;
    if (auto a = readAxes(in, input, false, ctx); !a) return std::unexpected(a.error());
    input.dataRange = readRange(in);
    auto pre = readSteps(in["preprocessing"], false, ctx);
    if (!pre) return std::unexpected(pre.error());
    input.processing = std::move(*pre);
    m.spec.input = std::move(input);
    std::int64_t halo = m.spec.graph.halo;
    for (std::size_t i = 0; i < outputs.size(); ++i) {
      const YAML::Node o = outputs[i];
      TensorSpec out;
      out.name = m.spec.outputs[i].name;
      out.channels = 0;  // from the description when it says, else learnt by probeModel
      if (auto a = readAxes(o, out, true, ctx); !a) return std::unexpected(a.error());
      out.dataRange = readRange(o);
      auto post = readSteps(o["postprocessing"], true, ctx);
      if (!post) return std::unexpected(post.error());
      out.processing = std::move(*post);
      const std::string label = scalar(o["id"], scalar(o["name"]));
      out.label = label;
      halo = std::max(halo, out.halo);
      if (const auto t = testTensor(o); !t.empty()) m.testOutputs.push_back(t);
      m.spec.outputs[i] = std::move(out);
    }
    m.spec.halo = halo;
    if (const auto t = testTensor(in); !t.empty()) m.testInputs.push_back(t);
    if (root["test_inputs"])
      for (const auto& t : root["test_inputs"])
        m.testInputs.push_back(scalar(t));
    if (root["test_outputs"])
      for (const auto& t : root["test_outputs"])
        m.testOutputs.push_back(scalar(t));
  } catch (const YAML::Exception& e) {
    return fail(Errc::Corrupt, ctx.what + ": unexpected structure (line " +
                                   std::to_string(e.mark.line + 1) + ": " + e.msg + ")");
  }
  return m;
}

Expected<RdfCheck> checkRdfModel(const RdfModel& m) {
  if (m.testInputs.size() != 1 || m.testOutputs.size() != m.spec.outputs.size())
    return fail(Errc::InvalidArgument,
                m.spec.source + ": the package has " + std::to_string(m.testInputs.size()) +
                    " test inputs and " + std::to_string(m.testOutputs.size()) +
                    " test outputs; --check needs one input and one per output");
  auto bytes = m.package->read(m.testInputs[0]);
  if (!bytes) return std::unexpected(bytes.error());
  auto npy = readNpy(*bytes, m.spec.source + "/" + m.testInputs[0]);
  if (!npy) return std::unexpected(npy.error());
  auto input = planesOf(*npy, m.spec.input, m.spec.source + "/" + m.testInputs[0]);
  if (!input) return std::unexpected(input.error());
  if (static_cast<std::int64_t>(input->size()) != m.spec.input.channels)
    return fail(Errc::InvalidArgument,
                m.spec.source + ": the test input has " + std::to_string(input->size()) +
                    " channels, the model expects " + std::to_string(m.spec.input.channels));
  Planes sample;
  for (const auto& p : *input)
    sample.push_back(p.clone());
  auto pre = resolveProcessing(m.spec.input.processing, std::move(sample), m.spec.source);
  if (!pre) return std::unexpected(pre.error());
  applyProcessing(*pre, *input);
  OnnxNetPool nets(std::make_shared<ModelSpec>(m.spec));
  auto out = nets.forward(*input);
  if (!out) return std::unexpected(out.error());
  RdfCheck check;
  std::size_t plane = 0;
  double maxExpected = 0;
  for (std::size_t i = 0; i < m.spec.outputs.size(); ++i) {
    const auto& o = m.spec.outputs[i];
    Planes got(out->begin() + static_cast<std::ptrdiff_t>(plane),
               out->begin() + static_cast<std::ptrdiff_t>(plane + o.channels));
    plane += static_cast<std::size_t>(o.channels);
    auto post = resolveProcessing(o.processing, Planes(got.size()), m.spec.source);
    if (!post) return std::unexpected(post.error());
    applyProcessing(*post, got);
    auto eb = m.package->read(m.testOutputs[i]);
    if (!eb) return std::unexpected(eb.error());
    auto en = readNpy(*eb, m.spec.source + "/" + m.testOutputs[i]);
    if (!en) return std::unexpected(en.error());
    auto expected = planesOf(*en, o, m.spec.source + "/" + m.testOutputs[i]);
    if (!expected) return std::unexpected(expected.error());
    if (expected->size() != got.size() || (*expected)[0].size() != got[0].size())
      return fail(Errc::InvalidArgument,
                  m.spec.source + ": test output " + m.testOutputs[i] + " is " +
                      std::to_string((*expected)[0].cols) + "x" +
                      std::to_string((*expected)[0].rows) + "x" + std::to_string(expected->size()) +
                      ", the model produced " + std::to_string(got[0].cols) + "x" +
                      std::to_string(got[0].rows) + "x" + std::to_string(got.size()));
    double err = 0;
    for (std::size_t c = 0; c < got.size(); ++c) {
      double e = 0, mx = 0;
      cv::minMaxLoc(cv::abs((*expected)[c] - got[c]), nullptr, &e);
      cv::minMaxLoc(cv::abs((*expected)[c]), nullptr, &mx);
      err = std::max(err, e);
      maxExpected = std::max(maxExpected, mx);
    }
    check.perOutput.push_back(err);
    check.maxAbsError = std::max(check.maxAbsError, err);
  }
  check.tolerance = 1e-4 + 1e-4 * maxExpected;
  return check;
}

}  // namespace tessera::data::ai
