#include "data/remote/url.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace tessera::data {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Error bad(std::string_view url, const std::string& why) {
  return Error{Errc::InvalidArgument, std::string(url) + ": " + why};
}

bool hostCharOk(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' ||
         c == '~' || c == '%';
}

// RFC 3986 5.2.4: removes "." and ".." segments.
std::string removeDotSegments(std::string_view path) {
  std::vector<std::string> out;
  std::size_t i = 0;
  const bool absolute = !path.empty() && path.front() == '/';
  bool trailingSlash = false;
  while (i <= path.size()) {
    const std::size_t j = std::min(path.find('/', i), path.size());
    const std::string_view seg = path.substr(i, j - i);
    trailingSlash = false;
    if (seg == "..") {
      if (!out.empty()) out.pop_back();
      trailingSlash = true;
    } else if (seg == ".") {
      trailingSlash = true;
    } else if (!seg.empty() || (i > 0 && j < path.size())) {
      out.emplace_back(seg);
    } else if (j == path.size() && i > 0) {
      trailingSlash = true;
    }
    i = j + 1;
  }
  std::string joined = absolute ? "/" : "";
  for (std::size_t k = 0; k < out.size(); ++k)
    joined += (k ? "/" : "") + out[k];
  if (trailingSlash && !joined.empty() && joined.back() != '/') joined += '/';
  return joined.empty() ? "/" : joined;
}

}  // namespace

std::string Url::hostHeader() const {
  const std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return defaultPort() ? h : h + ":" + std::to_string(port);
}

std::string Url::str() const {
  return scheme + "://" + hostHeader() + target;
}

std::string Url::path() const {
  return target.substr(0, target.find('?'));
}

bool isHttpUrl(std::string_view text) {
  const std::string head = lower(text.substr(0, 8));
  return head.rfind("http://", 0) == 0 || head.rfind("https://", 0) == 0;
}

Expected<Url> parseUrl(std::string_view text) {
  if (text.empty()) return std::unexpected(bad("\"\"", "empty URL"));
  for (char c : text)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
      return std::unexpected(bad(text, "URLs may not contain spaces or control characters"));
  const std::size_t colon = text.find("://");
  if (colon == std::string_view::npos || colon == 0)
    return std::unexpected(bad(text, "not a URL (expected http:// or https://)"));
  Url u;
  u.scheme = lower(text.substr(0, colon));
  if (u.scheme != "http" && u.scheme != "https")
    return std::unexpected(
        bad(text, "scheme " + u.scheme + " is not supported (use http or https)"));
  std::string_view rest = text.substr(colon + 3);
  rest = rest.substr(0, rest.find('#'));
  const std::size_t pathStart = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, pathStart);
  std::string target(pathStart == std::string_view::npos ? "/" : rest.substr(pathStart));
  if (target.front() == '?') target.insert(target.begin(), '/');
  if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos)
    authority = authority.substr(at + 1);
  std::string_view hostPart = authority, portPart;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos)
      return std::unexpected(bad(text, "unterminated IPv6 address"));
    hostPart = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::unexpected(bad(text, "malformed host"));
      portPart = after.substr(1);
    }
    for (char c : hostPart)
      if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.')
        return std::unexpected(bad(text, "malformed IPv6 address"));
  } else if (const std::size_t c = authority.rfind(':'); c != std::string_view::npos) {
    hostPart = authority.substr(0, c);
    portPart = authority.substr(c + 1);
  }
  if (hostPart.empty()) return std::unexpected(bad(text, "no host"));
  if (authority.front() != '[')
    for (char c : hostPart)
      if (!hostCharOk(c))
        return std::unexpected(bad(text, std::string("invalid character '") + c + "' in host"));
  u.host = lower(hostPart);
  u.port = u.https() ? 443 : 80;
  if (!portPart.empty()) {
    unsigned long p = 0;
    for (char c : portPart) {
      if (!std::isdigit(static_cast<unsigned char>(c)) || p > 65535)
        return std::unexpected(bad(text, "invalid port"));
      p = p * 10 + static_cast<unsigned>(c - '0');
    }
    if (p == 0 || p > 65535) return std::unexpected(bad(text, "invalid port"));
    u.port = static_cast<std::uint16_t>(p);
  }
  u.target = std::move(target);
  return u;
}

Expected<Url> resolveUrl(const Url& base, std::string_view ref) {
  if (ref.find("://") != std::string_view::npos) {
    const std::size_t colon = ref.find("://");
    bool schemeLike = true;
    for (char c : ref.substr(0, colon))
      schemeLike = schemeLike && (std::isalnum(static_cast<unsigned char>(c)) || c == '+' ||
                                  c == '-' || c == '.');
    if (schemeLike) return parseUrl(ref);
  }
  if (ref.rfind("//", 0) == 0) return parseUrl(base.scheme + ":" + std::string(ref));
  Url out = base;
  ref = ref.substr(0, ref.find('#'));
  if (ref.empty()) return out;
  const std::string basePath = base.path();
  if (ref.front() == '?') {
    out.target = basePath + std::string(ref);
    return out;
  }
  std::string merged;
  if (ref.front() == '/') {
    merged = std::string(ref);
  } else {
    merged = basePath.substr(0, basePath.rfind('/') + 1) + std::string(ref);
  }
  const std::size_t q = merged.find('?');
  const std::string query = q == std::string::npos ? "" : merged.substr(q);
  out.target = removeDotSegments(merged.substr(0, q)) + query;
  for (char c : out.target)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
      return std::unexpected(bad(ref, "URLs may not contain spaces or control characters"));
  return out;
}

std::string joinUrlPath(std::string_view base, std::string_view key) {
  std::string b(base.substr(0, std::min(base.find('?'), base.find('#'))));
  while (!b.empty() && b.back() == '/')
    b.pop_back();
  while (!key.empty() && key.front() == '/')
    key.remove_prefix(1);
  if (key.empty()) return b;
  return b + "/" + percentEncode(key, true);
}

std::string percentEncode(std::string_view text, bool keepSlash) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' ||
        (keepSlash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string percentDecode(std::string_view text) {
  std::string out;
  auto val = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && val(text[i + 1]) >= 0 && val(text[i + 2]) >= 0) {
      out += static_cast<char>(val(text[i + 1]) * 16 + val(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

namespace {
/// [start, end) of the userinfo (without '@') in `text`, or npos when there is none.
std::pair<std::size_t, std::size_t> userInfoSpan(std::string_view text) {
  const std::size_t scheme = text.find("://");
  const std::size_t start = scheme == std::string_view::npos ? 0 : scheme + 3;
  const std::size_t end = std::min(text.find_first_of("/?#", start), text.size());
  const std::size_t at = text.substr(start, end - start).rfind('@');
  if (at == std::string_view::npos) return {std::string_view::npos, std::string_view::npos};
  return {start, start + at};
}
}  // namespace

std::string urlUserInfo(std::string_view text) {
  const auto [a, b] = userInfoSpan(text);
  return a == std::string_view::npos ? std::string() : percentDecode(text.substr(a, b - a));
}

std::string withoutUserInfo(std::string_view text) {
  const auto [a, b] = userInfoSpan(text);
  if (a == std::string_view::npos) return std::string(text);
  return std::string(text.substr(0, a)) + std::string(text.substr(b + 1));
}

}  // namespace tessera::data
