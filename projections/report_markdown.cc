// Writes a report Document as CommonMark with GitHub's tables.
//
// Every span's text is escaped so that nothing in it can change the
// Markdown's structure: backslash, `*_[]<>|~#` everywhere, `&` before a
// letter, digit or `#` (an entity), and a leading
// `-`, `+`, `=` or "1." / "1)" at the start of a line; line breaks become
// spaces. Links are written only for http(s) addresses. English shown in a
// Welsh report is followed by the catalogue's marker:
//
//   - Long-term funding has still not been secured. [Saesneg yn unig / English
//   only]

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "projections/report_document.h"

namespace oversight::projections::report {
namespace {

std::string Escape(absl::string_view text, bool line_start) {
  text = absl::StripAsciiWhitespace(text);
  // "1." or "1)" opening a line would start an ordered list.
  size_t ordered_mark = absl::string_view::npos;
  if (line_start) {
    size_t j = 0;
    while (j < text.size() &&
           absl::ascii_isdigit(static_cast<unsigned char>(text[j]))) {
      ++j;
    }
    if (j > 0 && j < text.size() && (text[j] == '.' || text[j] == ')')) {
      ordered_mark = j;
    }
  }
  std::string out;
  out.reserve(text.size() + 8);
  for (size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    switch (ch) {
      case '\r':
      case '\n':
      case '\t':
        out.push_back(' ');
        continue;
      case '\\':
      case '`':
      case '*':
      case '_':
      case '[':
      case ']':
      case '<':
      case '>':
      case '|':
      case '~':
      case '#':
        out.push_back('\\');
        break;
      case '&':  // Only where it could start an entity ("&amp;", "&#38;").
        if (i + 1 < text.size() &&
            (absl::ascii_isalnum(static_cast<unsigned char>(text[i + 1])) ||
             text[i + 1] == '#')) {
          out.push_back('\\');
        }
        break;
      case '-':
      case '+':
      case '=':
        if (line_start && i == 0) out.push_back('\\');
        break;
      default:
        if (i == ordered_mark) out.push_back('\\');
        break;
    }
    out.push_back(ch);
  }
  return out;
}

// A link destination: spaces, brackets and quotes percent-encoded.
std::string Destination(absl::string_view url) {
  std::string out;
  for (char ch : url) {
    switch (ch) {
      case ' ':
        out += "%20";
        break;
      case '(':
        out += "%28";
        break;
      case ')':
        out += "%29";
        break;
      case '<':
        out += "%3C";
        break;
      case '>':
        out += "%3E";
        break;
      case '"':
        out += "%22";
        break;
      case '\\':
        out += "%5C";
        break;
      default:
        if (static_cast<unsigned char>(ch) < 0x20) continue;
        out.push_back(ch);
    }
  }
  return out;
}

bool IsWebAddress(absl::string_view url) {
  return absl::StartsWithIgnoreCase(url, "http://") ||
         absl::StartsWithIgnoreCase(url, "https://");
}

class Writer {
 public:
  explicit Writer(const Catalog& catalog) : c_(catalog) {}

  std::string Inline(const report::Inline& spans) const {
    std::string out;
    bool first = true;
    for (const Span& s : spans) {
      std::string text = Escape(s.text, first);
      // Escape() trims: keep the spaces fixed spans put between words.
      const bool lead = !s.text.empty() && s.text.front() == ' ';
      const bool trail = !s.text.empty() && s.text.back() == ' ';
      if (lead && !out.empty() && out.back() != ' ') out.push_back(' ');
      if (text.empty()) continue;
      first = false;
      if (!s.href.empty() && IsWebAddress(s.href)) {
        text = absl::StrCat("[", text, "](", Destination(s.href), ")");
      }
      switch (s.style) {
        case Span::Style::kStrong:
          text = absl::StrCat("**", text, "**");
          break;
        case Span::Style::kEmphasis:
          text = absl::StrCat("*", text, "*");
          break;
        case Span::Style::kPlain:
          break;
      }
      out += text;
      if (s.untranslated) absl::StrAppend(&out, " ", c_.untranslated_marker);
      if (trail) out.push_back(' ');
    }
    return std::string(absl::StripTrailingAsciiWhitespace(out));
  }

  void Block(const report::Block& b, std::string* out) const {
    switch (b.kind) {
      case report::Block::Kind::kHeading:
        absl::StrAppend(out, std::string(b.level, '#'), " ", Inline(b.text),
                        "\n\n");
        break;
      case report::Block::Kind::kParagraph:
        absl::StrAppend(out, Inline(b.text), "\n\n");
        break;
      case report::Block::Kind::kBullets:
      case report::Block::Kind::kNumbered: {
        const bool numbered = b.kind == report::Block::Kind::kNumbered;
        int n = 0;
        for (const ListItem& item : b.items) {
          const std::string marker =
              numbered ? absl::StrCat(++n, ". ") : std::string("- ");
          absl::StrAppend(out, marker, Inline(item.text), "\n");
          const std::string indent(marker.size(), ' ');
          for (const report::Inline& child : item.children) {
            absl::StrAppend(out, indent, "- ", Inline(child), "\n");
          }
        }
        out->push_back('\n');
        break;
      }
      case report::Block::Kind::kTable: {
        if (!b.text.empty()) {
          absl::StrAppend(out, "**", Inline(b.text), "**\n\n");
        }
        std::string rule = "|";
        out->push_back('|');
        for (const report::Inline& cell : b.header) {
          absl::StrAppend(out, " ", Inline(cell), " |");
          rule += " --- |";
        }
        absl::StrAppend(out, "\n", rule, "\n");
        for (const auto& row : b.rows) {
          out->push_back('|');
          for (const report::Inline& cell : row) {
            absl::StrAppend(out, " ", Inline(cell), " |");
          }
          out->push_back('\n');
        }
        out->push_back('\n');
        break;
      }
    }
  }

 private:
  const Catalog& c_;
};

}  // namespace

std::string WriteMarkdown(const Document& doc, const Catalog& catalog) {
  Writer writer(catalog);
  std::string out;
  for (const Block& b : doc.blocks) writer.Block(b, &out);
  // One newline at the end of the file.
  while (absl::EndsWith(out, "\n\n")) out.pop_back();
  return out;
}

}  // namespace oversight::projections::report
