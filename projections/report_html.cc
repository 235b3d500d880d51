// Writes a report Document as one self-contained HTML page: inline CSS for
// screen and A4 print, no scripts, no external resources (a Content-
// Security-Policy forbids both), real h1-h4, tables with <caption> and
// <th scope>, RAG ratings named in text as well as coloured.
//
// Every span's text is HTML-escaped (& < > " '). A passage in another
// language than the page carries lang=; English shown in a Welsh report is
// also followed by a visible marker:
//
//   <li><span lang="en">Long-term funding ...</span>
//   <span class="untranslated">[Saesneg yn unig / <span lang="en">English
//   only</span>]</span></li>

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "projections/report_document.h"

namespace oversight::projections::report {
namespace {

constexpr char kStyle[] = R"css(
@page { size: A4; margin: 18mm 16mm 20mm 16mm; }
html { background: #fff; color: #1a1a1a; }
body { font-family: "Liberation Sans", Arial, Helvetica, sans-serif;
  font-size: 11pt; line-height: 1.45; max-width: 46em; margin: 0 auto;
  padding: 1.5em; }
h1 { font-size: 1.9em; line-height: 1.2; margin: 0 0 .8em; color: #20325c; }
h2 { font-size: 1.4em; margin: 1.8em 0 .5em; padding-bottom: .15em;
  border-bottom: 2px solid #20325c; color: #20325c; }
h3 { font-size: 1.15em; margin: 1.4em 0 .4em; }
h4 { font-size: 1em; margin: 1em 0 .3em; }
h1, h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
p, li { orphans: 3; widows: 3; }
ul, ol { padding-left: 1.6em; }
table { border-collapse: collapse; width: 100%; margin: .4em 0 1em; }
caption { text-align: left; font-weight: bold; padding-bottom: .3em; }
th, td { border: 1px solid #777; padding: .3em .5em; text-align: left;
  vertical-align: top; }
thead th { background: #e6eaf2; }
tr { break-inside: avoid; page-break-inside: avoid; }
.rag { padding: 0 .3em; border: 1px solid #555; border-radius: 2px; }
.rag-red { background: #f6d0cc; }
.rag-amber { background: #fde5b4; }
.rag-green { background: #cfe8cf; }
.rag-none { background: #eee; font-weight: normal; }
.untranslated { font-style: italic; font-size: .9em; color: #444; }
a { color: #1d4f91; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10.5pt; }
  a { color: inherit; text-decoration: none; }
}
)css";

std::string Escape(absl::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  for (char ch : text) {
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '\r':
      case '\n':
      case '\t':
        out.push_back(' ');
        break;
      default:
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
    for (const Span& s : spans) {
      std::string text = Escape(s.text);
      if (!s.rating.empty()) {
        text = absl::StrCat("<span class=\"rag rag-", s.rating, "\">", text,
                            "</span>");
      }
      if (!s.href.empty() && IsWebAddress(s.href)) {
        text = absl::StrCat("<a href=\"", Escape(s.href), "\">", text, "</a>");
      }
      switch (s.style) {
        case Span::Style::kStrong:
          text = absl::StrCat("<strong>", text, "</strong>");
          break;
        case Span::Style::kEmphasis:
          text = absl::StrCat("<em>", text, "</em>");
          break;
        case Span::Style::kPlain:
          break;
      }
      if (!s.lang.empty()) {
        text = absl::StrCat("<span lang=\"", Escape(s.lang), "\">", text,
                            "</span>");
      }
      out += text;
      if (s.untranslated) {
        absl::StrAppend(
            &out, " <span class=\"untranslated\">[",
            Escape(c_.untranslated_marker_native), " / <span lang=\"en\">",
            Escape(c_.untranslated_marker_english), "</span>]</span>");
      }
    }
    return out;
  }

  void Item(const ListItem& item, std::string* out) const {
    std::string text = Inline(item.text);
    if (!item.href.empty()) {
      text = absl::StrCat("<a href=\"", Escape(item.href), "\">", text, "</a>");
    }
    absl::StrAppend(out, "<li>", text);
    if (!item.children.empty()) {
      out->append("\n<ul>\n");
      for (const report::Inline& child : item.children) {
        absl::StrAppend(out, "<li>", Inline(child), "</li>\n");
      }
      out->append("</ul>\n");
    }
    out->append("</li>\n");
  }

  void Block(const report::Block& b, std::string* out) const {
    switch (b.kind) {
      case report::Block::Kind::kHeading: {
        const std::string tag = absl::StrCat("h", b.level);
        absl::StrAppend(out, "<", tag);
        if (!b.id.empty()) absl::StrAppend(out, " id=\"", Escape(b.id), "\"");
        absl::StrAppend(out, ">", Inline(b.text), "</", tag, ">\n");
        break;
      }
      case report::Block::Kind::kParagraph:
        absl::StrAppend(out, "<p>", Inline(b.text), "</p>\n");
        break;
      case report::Block::Kind::kBullets:
      case report::Block::Kind::kNumbered: {
        const char* tag =
            b.kind == report::Block::Kind::kNumbered ? "ol" : "ul";
        absl::StrAppend(out, "<", tag, ">\n");
        for (const ListItem& item : b.items) Item(item, out);
        absl::StrAppend(out, "</", tag, ">\n");
        break;
      }
      case report::Block::Kind::kTable: {
        out->append("<table>\n");
        if (!b.text.empty()) {
          absl::StrAppend(out, "<caption>", Inline(b.text), "</caption>\n");
        }
        out->append("<thead>\n<tr>");
        for (const report::Inline& cell : b.header) {
          absl::StrAppend(out, "<th scope=\"col\">", Inline(cell), "</th>");
        }
        out->append("</tr>\n</thead>\n<tbody>\n");
        for (const auto& row : b.rows) {
          out->append("<tr>");
          for (size_t i = 0; i < row.size(); ++i) {
            absl::StrAppend(out, i == 0 ? "<th scope=\"row\">" : "<td>",
                            Inline(row[i]), i == 0 ? "</th>" : "</td>");
          }
          out->append("</tr>\n");
        }
        out->append("</tbody>\n</table>\n");
        break;
      }
    }
  }

 private:
  const Catalog& c_;
};

}  // namespace

std::string WriteHtml(const Document& doc, const Catalog& catalog) {
  Writer writer(catalog);
  std::string out = absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"", Escape(doc.lang), "\">\n<head>\n",
      "<meta charset=\"utf-8\">\n",
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
      "'none'; style-src 'unsafe-inline'\">\n",
      "<meta name=\"viewport\" content=\"width=device-width, "
      "initial-scale=1\">\n",
      "<title>", Escape(doc.title), "</title>\n<style>", kStyle,
      "</style>\n</head>\n<body>\n<main>\n");
  for (const Block& b : doc.blocks) writer.Block(b, &out);
  out.append("</main>\n</body>\n</html>\n");
  return out;
}

}  // namespace oversight::projections::report
