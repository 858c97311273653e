#include "data/ai/onnx_graph.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

namespace tessera::data::ai {
namespace {

// One protobuf message's fields, read lazily in order. Only what ONNX uses: varints,
// fixed32/64 and length-delimited fields.
struct Field {
  std::uint32_t number = 0;
  int wire = 0;
  std::uint64_t value = 0;                // varint or fixed
  std::span<const std::uint8_t> payload;  // length-delimited
};

class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> b) : b_(b) {}
  bool done() const { return pos_ >= b_.size(); }
  bool ok() const { return ok_; }

  bool next(Field& f) {
    if (done() || !ok_) return false;
    std::uint64_t tag = 0;
    if (!varint(tag)) return false;
    f.number = static_cast<std::uint32_t>(tag >> 3);
    f.wire = static_cast<int>(tag & 7);
    f.payload = {};
    switch (f.wire) {
      case 0:
        return varint(f.value);
      case 1:
        return fixed(8, f.value);
      case 5:
        return fixed(4, f.value);
      case 2: {
        std::uint64_t n = 0;
        if (!varint(n) || n > b_.size() - pos_) return ok_ = false;
        f.payload = b_.subspan(pos_, static_cast<std::size_t>(n));
        pos_ += static_cast<std::size_t>(n);
        return true;
      }
      default:
        return ok_ = false;
    }
  }

  bool varint(std::uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= b_.size()) return ok_ = false;
      const std::uint8_t byte = b_[pos_++];
      v |= static_cast<std::uint64_t>(byte & 0x7F) << shift;
      if (!(byte & 0x80)) return true;
    }
    return ok_ = false;
  }

 private:
  bool fixed(int n, std::uint64_t& v) {
    if (b_.size() - pos_ < static_cast<std::size_t>(n)) return ok_ = false;
    v = 0;
    for (int i = 0; i < n; ++i)
      v |= static_cast<std::uint64_t>(b_[pos_ + i]) << (8 * i);
    pos_ += static_cast<std::size_t>(n);
    return true;
  }
  std::span<const std::uint8_t> b_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

std::string str(std::span<const std::uint8_t> p) {
  return std::string(p.begin(), p.end());
}

struct Attr {
  std::optional<std::int64_t> i;
  std::vector<std::int64_t> ints;
  std::string s;
};

struct Node {
  std::vector<std::string> inputs, outputs;
  std::string op;
  std::map<std::string, Attr> attrs;
};

bool parseAttr(std::span<const std::uint8_t> p, std::string& name, Attr& a) {
  Reader r(p);
  Field f;
  while (r.next(f)) {
    if (f.number == 1 && f.wire == 2)
      name = str(f.payload);
    else if (f.number == 3 && f.wire == 0)
      a.i = static_cast<std::int64_t>(f.value);
    else if (f.number == 4 && f.wire == 2)
      a.s = str(f.payload);
    else if (f.number == 8 && f.wire == 0)
      a.ints.push_back(static_cast<std::int64_t>(f.value));
    else if (f.number == 8 && f.wire == 2) {  // packed
      Reader packed(f.payload);
      std::uint64_t v = 0;
      while (!packed.done() && packed.varint(v))
        a.ints.push_back(static_cast<std::int64_t>(v));
      if (!packed.ok()) return false;
    }
  }
  return r.ok();
}

bool parseNode(std::span<const std::uint8_t> p, Node& n) {
  Reader r(p);
  Field f;
  while (r.next(f)) {
    if (f.wire != 2) continue;
    if (f.number == 1)
      n.inputs.push_back(str(f.payload));
    else if (f.number == 2)
      n.outputs.push_back(str(f.payload));
    else if (f.number == 4)
      n.op = str(f.payload);
    else if (f.number == 5) {
      std::string name;
      Attr a;
      if (!parseAttr(f.payload, name, a)) return false;
      n.attrs[name] = std::move(a);
    }
  }
  return r.ok();
}

bool parseShape(std::span<const std::uint8_t> p, std::vector<std::int64_t>& dims) {
  Reader r(p);
  Field f;
  while (r.next(f)) {
    if (f.number != 1 || f.wire != 2) continue;
    Reader d(f.payload);
    Field df;
    std::int64_t v = -1;
    while (d.next(df))
      if (df.number == 1 && df.wire == 0) v = static_cast<std::int64_t>(df.value);
    if (!d.ok()) return false;
    dims.push_back(v > 0 ? v : -1);
  }
  return r.ok();
}

bool parseValueInfo(std::span<const std::uint8_t> p, OnnxTensorInfo& t) {
  Reader r(p);
  Field f;
  while (r.next(f)) {
    if (f.wire != 2) continue;
    if (f.number == 1) {
      t.name = str(f.payload);
    } else if (f.number == 2) {  // TypeProto
      Reader tr(f.payload);
      Field tf;
      while (tr.next(tf)) {
        if (tf.number != 1 || tf.wire != 2) continue;  // tensor_type
        Reader tt(tf.payload);
        Field ttf;
        while (tt.next(ttf)) {
          if (ttf.number == 1 && ttf.wire == 0) t.elemType = static_cast<int>(ttf.value);
          if (ttf.number == 2 && ttf.wire == 2 && !parseShape(ttf.payload, t.dims)) return false;
        }
        if (!tt.ok()) return false;
      }
      if (!tr.ok()) return false;
    }
  }
  return r.ok();
}

std::string tensorName(std::span<const std::uint8_t> p) {
  Reader r(p);
  Field f;
  while (r.next(f))
    if (f.number == 8 && f.wire == 2) return str(f.payload);
  return {};
}

bool isGlobal(const std::string& op) {
  static const std::set<std::string> global = {"GlobalAveragePool",
                                               "GlobalMaxPool",
                                               "GlobalLpPool",
                                               "ReduceMean",
                                               "ReduceMax",
                                               "ReduceMin",
                                               "ReduceSum",
                                               "ReduceL2",
                                               "Flatten",
                                               "Gemm",
                                               "MatMul",
                                               "LSTM",
                                               "GRU",
                                               "RNN",
                                               "Attention"};
  return global.count(op) > 0;
}

bool isWindowed(const std::string& op) {
  return op == "Conv" || op == "ConvTranspose" || op == "MaxPool" || op == "AveragePool" ||
         op == "LpPool";
}

struct Field2 {
  std::int64_t halo = 0;
  std::int64_t jump = 1;
};

// The halo a windowed node adds (in its input's elements), and its stride, over the spatial axes.
void windowOf(const Node& n, std::int64_t& halo, std::int64_t& stride) {
  auto ints = [&](const char* key) -> std::vector<std::int64_t> {
    auto it = n.attrs.find(key);
    return it == n.attrs.end() ? std::vector<std::int64_t>{} : it->second.ints;
  };
  const auto kernel = ints("kernel_shape"), dil = ints("dilations"), strides = ints("strides"),
             pads = ints("pads");
  std::string autoPad;
  if (auto it = n.attrs.find("auto_pad"); it != n.attrs.end()) autoPad = it->second.s;
  halo = 0;
  stride = 1;
  const std::size_t nd = kernel.size();
  for (std::size_t k = 0; k < nd; ++k) {
    const std::int64_t d = k < dil.size() ? dil[k] : 1;
    const std::int64_t extent = (kernel[k] - 1) * d;
    std::int64_t begin = k < pads.size() ? pads[k] : 0;
    if (autoPad == "SAME_UPPER") begin = extent / 2;
    if (autoPad == "SAME_LOWER") begin = (extent + 1) / 2;
    if (n.op == "ConvTranspose") begin = extent;  // every output sees the whole kernel span
    halo = std::max(halo, std::max(begin, extent - begin));
    if (k < strides.size()) stride = std::max(stride, strides[k]);
  }
}

}  // namespace

Expected<OnnxGraphInfo> readOnnxGraph(std::span<const std::uint8_t> bytes,
                                      const std::string& what) {
  auto corrupt = [&](const std::string& why) {
    return fail(Errc::Corrupt, what + ": not a valid ONNX model (" + why + ")");
  };
  if (bytes.empty()) return corrupt("empty file");
  OnnxGraphInfo info;
  std::span<const std::uint8_t> graph;
  {
    Reader r(bytes);
    Field f;
    bool haveIr = false;
    while (r.next(f)) {
      if (f.number == 1 && f.wire == 0) haveIr = true;
      if (f.number == 7 && f.wire == 2) graph = f.payload;
      if (f.number == 8 && f.wire == 2) {  // OperatorSetIdProto
        Reader o(f.payload);
        Field of;
        std::string domain;
        std::int64_t version = 0;
        while (o.next(of)) {
          if (of.number == 1 && of.wire == 2) domain = str(of.payload);
          if (of.number == 2 && of.wire == 0) version = static_cast<std::int64_t>(of.value);
        }
        if (domain.empty() || domain == "ai.onnx") info.opset = version;
      }
    }
    if (!r.ok()) return corrupt("truncated or not protobuf");
    if (!haveIr || graph.empty()) return corrupt("no ir_version or graph");
  }

  std::vector<Node> nodes;
  std::set<std::string> initializers;
  std::vector<OnnxTensorInfo> declaredInputs;
  Reader g(graph);
  Field f;
  while (g.next(f)) {
    if (f.wire != 2) continue;
    if (f.number == 1) {
      Node n;
      if (!parseNode(f.payload, n)) return corrupt("bad node");
      nodes.push_back(std::move(n));
    } else if (f.number == 5) {
      initializers.insert(tensorName(f.payload));
    } else if (f.number == 11 || f.number == 12) {
      OnnxTensorInfo t;
      if (!parseValueInfo(f.payload, t)) return corrupt("bad input or output");
      (f.number == 11 ? declaredInputs : info.outputs).push_back(std::move(t));
    }
  }
  if (!g.ok()) return corrupt("truncated graph");
  for (auto& t : declaredInputs)
    if (!initializers.count(t.name)) info.inputs.push_back(std::move(t));
  if (info.inputs.empty() || info.outputs.empty()) return corrupt("graph has no inputs or outputs");

  std::map<std::string, Field2> field;
  for (const auto& in : info.inputs)
    field[in.name] = {};
  for (const auto& n : nodes) {
    if (std::find(info.operators.begin(), info.operators.end(), n.op) == info.operators.end())
      info.operators.push_back(n.op);
    if (isGlobal(n.op) && info.globalOperator.empty()) info.globalOperator = n.op;
    Field2 in;
    for (const auto& name : n.inputs) {
      auto it = field.find(name);
      if (it == field.end()) continue;  // weights and constants
      in.halo = std::max(in.halo, it->second.halo);
      in.jump = std::max(in.jump, it->second.jump);
    }
    Field2 out = in;
    if (isWindowed(n.op) && !n.attrs.count("kernel_shape") && info.nodeWithoutKernelShape.empty())
      info.nodeWithoutKernelShape = n.op;
    if (isWindowed(n.op)) {
      std::int64_t halo = 0, stride = 1;
      windowOf(n, halo, stride);
      out.halo = in.halo + in.jump * halo;
      if (n.op != "ConvTranspose") out.jump = in.jump * stride;
    }
    for (const auto& name : n.outputs)
      field[name] = out;
  }
  for (const auto& o : info.outputs) {
    auto it = field.find(o.name);
    if (it == field.end()) continue;
    info.halo = std::max(info.halo, it->second.halo);
  }
  for (const auto& [name, fl] : field)
    info.downsampling = std::max(info.downsampling, fl.jump);
  return info;
}

}  // namespace tessera::data::ai
