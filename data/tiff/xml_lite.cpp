#include "data/tiff/xml_lite.h"

#include <cctype>
#include <cstdint>

namespace tessera::data {
namespace {

bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

void appendUtf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::string decodeEntities(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    const auto semi = s.find(';', i);
    if (semi == std::string_view::npos || semi - i > 10) {
      out += s[i];
      continue;
    }
    const std::string_view ent = s.substr(i + 1, semi - i - 1);
    if (ent == "amp")
      out += '&';
    else if (ent == "lt")
      out += '<';
    else if (ent == "gt")
      out += '>';
    else if (ent == "quot")
      out += '"';
    else if (ent == "apos")
      out += '\'';
    else if (!ent.empty() && ent[0] == '#') {
      const bool hex = ent.size() > 1 && (ent[1] == 'x' || ent[1] == 'X');
      std::uint32_t cp = 0;
      for (char c : ent.substr(hex ? 2 : 1))
        cp = cp * (hex ? 16 : 10) +
             static_cast<std::uint32_t>(
                 std::isdigit(static_cast<unsigned char>(c))
                     ? c - '0'
                     : (std::tolower(static_cast<unsigned char>(c)) - 'a' + 10));
      appendUtf8(out, cp & 0x1FFFFF);
    } else {
      out.append(s.substr(i, semi - i + 1));
    }
    i = semi;
  }
  return out;
}

std::string localName(std::string_view qname) {
  const auto colon = qname.find(':');
  return std::string(colon == std::string_view::npos ? qname : qname.substr(colon + 1));
}

}  // namespace

const std::string* XmlElement::attribute(std::string_view key) const {
  for (const auto& [k, v] : attributes)
    if (k == key) return &v;
  return nullptr;
}

std::optional<std::vector<XmlElement>> parseXmlElements(std::string_view xml, std::string* error) {
  std::vector<XmlElement> out;
  std::vector<int> stack;
  auto bad = [&](const std::string& why) -> std::optional<std::vector<XmlElement>> {
    if (error) *error = why;
    return std::nullopt;
  };
  auto skipTo = [&](std::size_t& i, std::string_view end) {
    const auto p = xml.find(end, i);
    if (p == std::string_view::npos) return false;
    i = p + end.size();
    return true;
  };
  std::size_t i = 0;
  while (true) {
    const std::size_t textStart = i;
    i = xml.find('<', i);
    if (i == std::string_view::npos) break;
    if (!stack.empty() && i > textStart) {
      std::string_view text = xml.substr(textStart, i - textStart);
      while (!text.empty() && isSpace(text.front()))
        text.remove_prefix(1);
      while (!text.empty() && isSpace(text.back()))
        text.remove_suffix(1);
      if (!text.empty()) out[static_cast<std::size_t>(stack.back())].text += decodeEntities(text);
    }
    const std::string_view rest = xml.substr(i);
    if (rest.starts_with("<?")) {
      if (!skipTo(i, "?>")) return bad("unterminated processing instruction");
    } else if (rest.starts_with("<!--")) {
      if (!skipTo(i, "-->")) return bad("unterminated comment");
    } else if (rest.starts_with("<![CDATA[")) {
      if (!skipTo(i, "]]>")) return bad("unterminated CDATA");
    } else if (rest.starts_with("<!")) {
      if (!skipTo(i, ">")) return bad("unterminated declaration");
    } else if (rest.starts_with("</")) {
      if (stack.empty()) return bad("unexpected closing tag");
      stack.pop_back();
      if (!skipTo(i, ">")) return bad("unterminated closing tag");
    } else {
      ++i;
      std::size_t n = i;
      while (n < xml.size() && !isSpace(xml[n]) && xml[n] != '/' && xml[n] != '>')
        ++n;
      if (n == i || n >= xml.size()) return bad("malformed tag");
      XmlElement el;
      el.name = localName(xml.substr(i, n - i));
      el.parent = stack.empty() ? -1 : stack.back();
      i = n;
      bool selfClosing = false;
      while (true) {
        while (i < xml.size() && isSpace(xml[i]))
          ++i;
        if (i >= xml.size()) return bad("unterminated tag <" + el.name + ">");
        if (xml[i] == '>') {
          ++i;
          break;
        }
        if (xml[i] == '/') {
          if (i + 1 >= xml.size() || xml[i + 1] != '>')
            return bad("stray '/' in <" + el.name + ">");
          selfClosing = true;
          i += 2;
          break;
        }
        std::size_t k = i;
        while (k < xml.size() && xml[k] != '=' && !isSpace(xml[k]) && xml[k] != '>')
          ++k;
        const std::string key = std::string(xml.substr(i, k - i));
        i = k;
        while (i < xml.size() && isSpace(xml[i]))
          ++i;
        if (i >= xml.size() || xml[i] != '=')
          return bad("attribute without value in <" + el.name + ">");
        ++i;
        while (i < xml.size() && isSpace(xml[i]))
          ++i;
        if (i >= xml.size() || (xml[i] != '"' && xml[i] != '\'')) return bad("unquoted attribute");
        const char quote = xml[i++];
        const auto close = xml.find(quote, i);
        if (close == std::string_view::npos) return bad("unterminated attribute value");
        el.attributes.emplace_back(localName(key), decodeEntities(xml.substr(i, close - i)));
        i = close + 1;
      }
      out.push_back(std::move(el));
      if (!selfClosing) stack.push_back(static_cast<int>(out.size()) - 1);
    }
  }
  if (out.empty()) return bad("no elements");
  return out;
}

}  // namespace tessera::data
