#include "data/ai/processing.h"

#include <algorithm>
#include <cmath>

namespace tessera::data::ai {
namespace {

using Kind = ProcessingStep::Kind;

Expected<double> perChannel(const std::vector<double>& v, std::size_t c, std::size_t channels,
                            const std::string& what, const ProcessingStep& s, const char* key) {
  if (v.size() == 1) return v[0];
  if (v.size() == channels) return v[c];
  return fail(Errc::InvalidArgument, what + ": " + s.name + " " + key + " has " +
                                         std::to_string(v.size()) + " values for " +
                                         std::to_string(channels) + " channels");
}

std::vector<float> gather(const Planes& planes, std::size_t c, bool perChannelStats) {
  std::vector<float> v;
  for (std::size_t i = 0; i < planes.size(); ++i) {
    if (perChannelStats && i != c) continue;
    const cv::Mat m = planes[i].isContinuous() ? planes[i] : planes[i].clone();
    v.insert(v.end(), m.ptr<float>(), m.ptr<float>() + m.total());
  }
  return v;
}

void applyOne(const ResolvedStep& r, Planes& planes) {
  const auto& s = r.step;
  for (std::size_t c = 0; c < planes.size(); ++c) {
    cv::Mat& m = planes[c];
    switch (s.kind) {
      case Kind::ScaleRange:
      case Kind::ZeroMeanUnitVariance:
      case Kind::ScaleLinear:
        m.convertTo(m, CV_32F, r.scale[c], r.shift[c]);
        break;
      case Kind::Clip:
        for (int y = 0; y < m.rows; ++y) {
          float* p = m.ptr<float>(y);
          for (int x = 0; x < m.cols; ++x)
            p[x] = static_cast<float>(std::clamp<double>(p[x], s.min, s.max));
        }
        break;
      case Kind::Binarize: {
        const double t = s.threshold.size() == planes.size() ? s.threshold[c] : s.threshold[0];
        for (int y = 0; y < m.rows; ++y) {
          float* p = m.ptr<float>(y);
          for (int x = 0; x < m.cols; ++x)
            p[x] = p[x] > t ? 1.f : 0.f;
        }
        break;
      }
      case Kind::Sigmoid:
        for (int y = 0; y < m.rows; ++y) {
          float* p = m.ptr<float>(y);
          for (int x = 0; x < m.cols; ++x)
            p[x] = static_cast<float>(1.0 / (1.0 + std::exp(-static_cast<double>(p[x]))));
        }
        break;
    }
  }
}

}  // namespace

double percentile(std::vector<float>& v, double p) {
  if (v.empty()) return 0;
  const double pos = std::clamp(p, 0.0, 100.0) / 100.0 * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const double frac = pos - static_cast<double>(lo);
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(lo), v.end());
  const double a = v[lo];
  if (frac == 0 || lo + 1 >= v.size()) return a;
  const double b = *std::min_element(v.begin() + static_cast<std::ptrdiff_t>(lo) + 1, v.end());
  return a + (b - a) * frac;
}

Expected<std::vector<ResolvedStep>> resolveProcessing(const std::vector<ProcessingStep>& steps,
                                                      Planes sample, const std::string& what) {
  std::vector<ResolvedStep> out;
  const std::size_t C = sample.size();
  for (const auto& s : steps) {
    ResolvedStep r{s, std::vector<double>(C, 1.0), std::vector<double>(C, 0.0)};
    for (std::size_t c = 0; c < C; ++c) {
      if (s.kind == Kind::ScaleRange) {
        auto v = gather(sample, c, s.perChannel);
        const double lo = percentile(v, s.minPercentile), hi = percentile(v, s.maxPercentile);
        r.scale[c] = 1.0 / (hi - lo + s.eps);
        r.shift[c] = -lo * r.scale[c];
      } else if (s.kind == Kind::ZeroMeanUnitVariance) {
        double mean = 0, sd = 0;
        if (!s.mean.empty()) {
          auto m = perChannel(s.mean, c, C, what, s, "mean");
          auto d = perChannel(s.std, c, C, what, s, "std");
          if (!m) return std::unexpected(m.error());
          if (!d) return std::unexpected(d.error());
          mean = *m;
          sd = *d;
        } else {
          const auto v = gather(sample, c, s.perChannel);
          double sum = 0, sq = 0;
          for (float x : v)
            sum += x;
          mean = v.empty() ? 0 : sum / static_cast<double>(v.size());
          for (float x : v)
            sq += (x - mean) * (x - mean);
          sd = v.empty() ? 0 : std::sqrt(sq / static_cast<double>(v.size()));
        }
        r.scale[c] = 1.0 / (sd + s.eps);
        r.shift[c] = -mean * r.scale[c];
      } else if (s.kind == Kind::ScaleLinear) {
        auto g = perChannel(s.gain, c, C, what, s, "gain");
        auto o = perChannel(s.offset, c, C, what, s, "offset");
        if (!g) return std::unexpected(g.error());
        if (!o) return std::unexpected(o.error());
        r.scale[c] = *g;
        r.shift[c] = *o;
      }
    }
    if (s.kind == Kind::Binarize && s.threshold.size() != 1 && s.threshold.size() != C)
      return fail(Errc::InvalidArgument, what + ": binarize has " +
                                             std::to_string(s.threshold.size()) +
                                             " thresholds for " + std::to_string(C) + " channels");
    applyOne(r, sample);
    out.push_back(std::move(r));
  }
  return out;
}

void applyProcessing(const std::vector<ResolvedStep>& steps, Planes& planes) {
  for (const auto& r : steps)
    applyOne(r, planes);
}

}  // namespace tessera::data::ai
