// The layout of a progress report (report_document.h), private to the
// report renderer: a Layout walks the report model once, in one language,
// appending blocks and counting the content passages it shows. The
// sections are in report_layout.cc, one recommendation's part in
// report_layout_recommendation.cc.
//
// Example:
//   Document doc;
//   Layout(model, request, WelshCatalog(), &doc).Run();

#ifndef OVERSIGHT_PROJECTIONS_REPORT_LAYOUT_H_
#define OVERSIGHT_PROJECTIONS_REPORT_LAYOUT_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "projections/report_document.h"

namespace oversight::projections::report {

class Layout {
 public:
  using Style = Span::Style;

  Layout(const ReportModel& model, const ReportRequest& request,
         const Catalog& catalog, Document* doc);
  Layout(const Layout&) = delete;
  Layout& operator=(const Layout&) = delete;

  // Fills the document.
  void Run();

 private:
  // ---- spans
  static Span Fixed(absl::string_view text, Style style = Style::kPlain);
  // A content passage in the report's language, counted: Welsh when the
  // report is Welsh and the text has it, else English (marked untranslated
  // in a Welsh report).
  Span Content(const v1::LocalizedText& t, Style style = Style::kPlain);
  // `tmpl` with $0, $1, ... replaced by `args`.
  static Inline Template(absl::string_view tmpl, std::vector<Span> args);
  // The agency's name, or the catalogue's neutral label when no official
  // registration with a name is known.
  Span Agency(absl::string_view agency_id, Style style = Style::kPlain);
  // "Closed on 12 March 2024 (decided by: ...)".
  Inline ClosureText(const Closure& closure);
  // A rating named in text, styled by its colour.
  static Span RatingSpan(v1::Rating rating, absl::string_view text);

  // ---- dates, in the report's language
  std::string Month(int month) const;
  // "2025-01" -> "January 2025"; "2025-01-31" -> "31 January 2025";
  // "2023" -> "2023"; anything else as given.
  std::string Date(absl::string_view date) const;
  // "2024-Q4" -> "October–December 2024".
  std::string Quarter(absl::string_view quarter) const;
  // "31 January 2025, 23:59:59 UTC".
  std::string Instant(absl::Time t) const;

  // ---- blocks
  void Heading(int level, std::string id, Inline text);
  void Para(Inline text);
  void List(std::vector<ListItem> items, bool numbered = false);
  void Labelled(absl::string_view label, Inline value);  // "Label: value".

  // ---- sections (report_layout.cc)
  void TitleBlock();
  void Overview();
  void Progress();
  void ReviewingBody();
  void Conclusion();
  void Summary();
  void Risks();
  // The rating at `period` and, with `closure`, the closing in force then.
  Inline RatingCell(const Recommendation& rec, const std::string& period,
                    bool closure = true);
  bool Considered(const Recommendation& rec) const;
  bool Own(const Recommendation& rec) const;

  // ---- one recommendation (report_layout_recommendation.cc)
  void OneRecommendation(const Recommendation& rec, bool own);
  // `closed`: no filler line where there is nothing to show.
  void Updates(const Recommendation& rec, const std::string& period,
               bool closed);
  void Monitoring(const Recommendation& rec, bool closed);
  void Meetings(const Recommendation& rec);
  void Programmes(const Recommendation& rec);
  // This period's rating; when none was assigned, "rating not stated", or
  // with `carried` the rating carried from an earlier period.
  void RatingLine(const Recommendation& rec, const std::string& period,
                  bool carried);

  const ReportModel& m_;
  const ReportRequest& req_;
  const Catalog& c_;
  Document* doc_;
  const bool welsh_;
  const std::string previous_;  // The previous period, or "".
  // The last instants of this period and of the previous one (or
  // InfinitePast): what happened by then is what the report shows.
  const absl::Time cut_;
  const absl::Time previous_cut_;
  std::vector<Block> out_;  // Everything after the contents.
  std::vector<std::pair<std::string, Inline>> toc_;  // The h2s: id, text.
};

}  // namespace oversight::projections::report

#endif  // OVERSIGHT_PROJECTIONS_REPORT_LAYOUT_H_
