// A progress report as a small document tree (headings, paragraphs, lists,
// tables of inline spans), built once from the report model in one language
// (report_layout.cc) and written out by one writer per format
// (report_markdown.cc, report_html.cc). Keeping the structure in one place
// means the two formats, and the Welsh passage count, cannot drift apart.
//
// Example:
//   Document doc = LayOutReport(model, request, WelshCatalog());
//   std::string md = WriteMarkdown(doc);

#ifndef OVERSIGHT_PROJECTIONS_REPORT_DOCUMENT_H_
#define OVERSIGHT_PROJECTIONS_REPORT_DOCUMENT_H_

#include <string>
#include <utility>
#include <vector>

#include "projections/report.h"
#include "projections/report_catalog.h"
#include "projections/report_model.h"

namespace oversight::projections::report {

// A run of text. Content spans come from events and are escaped by every
// writer; fixed spans come from a catalogue.
struct Span {
  enum class Style { kPlain, kStrong, kEmphasis };
  std::string text;
  Style style = Style::kPlain;
  bool content = false;
  // English shown in a Welsh report because no Welsh was recorded: the
  // writers mark it visibly and, in HTML, with lang="en".
  bool untranslated = false;
  // The span's language when it differs from the document's ("" if not).
  std::string lang;
  // A link: an http(s) address (anything else is shown as plain text).
  std::string href;
  // A RAG rating shown by this span ("red", "amber", "green", "none"), for
  // styling; the text always names the rating.
  std::string rating;
};
using Inline = std::vector<Span>;

struct ListItem {
  Inline text;
  std::vector<Inline> children;  // One level of sub-items.
  std::string href;              // The whole item links here ("#id").
};

inline ListItem Item(Inline text) {
  ListItem item;
  item.text = std::move(text);
  return item;
}

struct Block {
  enum class Kind { kHeading, kParagraph, kBullets, kNumbered, kTable };
  Kind kind = Kind::kParagraph;
  int level = 0;   // Headings: 1 to 4.
  std::string id;  // Headings: the anchor ("overview", "rec-4").
  Inline text;     // Headings, paragraphs; tables: the caption.
  std::vector<ListItem> items;
  // Tables: a header row, then rows whose first cell heads the row.
  std::vector<Inline> header;
  std::vector<std::vector<Inline>> rows;
};

struct Document {
  std::string lang;   // "en" or "cy".
  std::string title;  // Plain text, for HTML's <title>.
  std::vector<Block> blocks;
  int passages = 0;        // Content passages shown.
  int welsh_passages = 0;  // Of which in Welsh.
};

// The report of `request.period` laid out in `catalog`'s language. The
// model must hold the period.
Document LayOutReport(const ReportModel& model, const ReportRequest& request,
                      const Catalog& catalog);

std::string WriteMarkdown(const Document& doc, const Catalog& catalog);
std::string WriteHtml(const Document& doc, const Catalog& catalog);

}  // namespace oversight::projections::report

#endif  // OVERSIGHT_PROJECTIONS_REPORT_DOCUMENT_H_
