// The progress report to the Police and Crime Panel, rendered from the log:
// the events of one review, as at a moment, folded into a report and written
// out as Markdown or self-contained HTML, in English or Welsh.
//
// Pure: no clock, no I/O. The same events and request always give the same
// bytes, which is what lets a published report be sealed with the SHA-256 of
// its bytes and verified later by rendering it again.
//
// What the report holds, in order (docs: the seed report of January 2025):
//   title block   reviewing body, review title and question, the period as
//                 a month and year, "as recorded at log position N" and the
//                 effective date when one was asked for;
//   contents;
//   overview      the review, its themes in order, the reporting cycle;
//   progress      the RAG key, then by theme, in the review's theme order,
//                 every recommendation not owned by the reviewing body and
//                 not rated Green as at the previous period: its text, the
//                 updates for this period and the previous one (as
//                 corrected; withdrawn ones left out), the reviewing body's
//                 monitoring and the meetings it observed, and this
//                 period's rating or "rating not stated";
//   reviewing body  the recommendations it owns (whatever their rating),
//                 with the figures of partner programmes related to them;
//   conclusion    the latest ConclusionRecorded for the period;
//   summary       every recommendation, its rating at the previous period
//                 and at this one;
//   risks         every risk raised and not resolved by the end of the
//                 period;
//   coverage      how many content passages are in Welsh, of how many.
//
// Only CLASSIFICATION_OFFICIAL events are used. Anything else (OFFICIAL-
// SENSITIVE, or no classification at all) is dropped before the fold, so
// nothing derived from it reaches a report either: a sensitive update is
// not shown, and a sensitive correction of an official update is not
// applied (the update shows as last officially corrected).
//
// Welsh: fixed strings come from report_catalog_cy.cc; content comes from
// LocalizedText.cy, and where that is empty the English is shown, marked
// "[Saesneg yn unig / English only]" (in HTML also lang="en"). The English
// report also ends with the Welsh coverage line, so both editions state how
// far the Welsh one is translated.
//
// Example:
//   std::vector<RecordedDomainEvent> events = SelectAsOf(all, {head, {}});
//   ReportRequest request;
//   request.review_id = "dyfed-powys-stalking-2023";
//   request.period = "2025-01";
//   request.language = ReportLanguage::kWelsh;
//   request.format = ReportFormat::kHtml;
//   request.position = head;
//   absl::StatusOr<std::string> html = RenderReport(events, request);

#ifndef OVERSIGHT_PROJECTIONS_REPORT_H_
#define OVERSIGHT_PROJECTIONS_REPORT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "projections/read_model.h"

namespace oversight::projections {

enum class ReportLanguage { kEnglish, kWelsh };
enum class ReportFormat { kMarkdown, kHtml };

struct ReportRequest {
  std::string review_id;
  // The period reported, "YYYY-MM"; one the review opened.
  std::string period;
  ReportLanguage language = ReportLanguage::kEnglish;
  ReportFormat format = ReportFormat::kMarkdown;
  // The log position the events reflect, printed in the report. The
  // renderer does not filter by it: the caller selects the events.
  uint64_t position = 0;
  // The effective instant the events were selected as at, printed (in UTC)
  // when given.
  std::optional<absl::Time> effective_at;
};

// The report of `request.review_id` for `request.period`, from `events`
// (in log order, already selected as at a moment; they may include other
// reviews' events, which are ignored).
//
// Errors:
//   INVALID_ARGUMENT (INVALID_PERIOD)  the period is not "YYYY-MM";
//   NOT_FOUND (REVIEW_NOT_FOUND)       no official ReviewOpened of the review;
//   NOT_FOUND (PERIOD_NOT_FOUND)       the review opened no such period.
[[nodiscard]] absl::StatusOr<std::string> RenderReport(
    const std::vector<RecordedDomainEvent>& events,
    const ReportRequest& request);

// The file name extension and the media type of `format`: "md" and
// "text/markdown; charset=utf-8", "html" and "text/html; charset=utf-8".
const char* ReportExtension(ReportFormat format);
const char* ReportMediaType(ReportFormat format);

// "en" or "cy".
const char* ReportLanguageCode(ReportLanguage language);

}  // namespace oversight::projections

#endif  // OVERSIGHT_PROJECTIONS_REPORT_H_
