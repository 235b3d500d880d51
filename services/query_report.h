// Rendering the Panel progress report (projections/report.h) from the log,
// for GetReport, VerifyReport and PublishReport.
//
// A report of review R is folded from the streams `agencies`, `review-R`,
// every `recommendation-R-{n}` and every `programme-{id}` registered for
// R. Which recommendations and programmes exist is read from the live
// read models, as far as they have got (they may know more than existed
// at the position asked for, which does no harm: every stream is cut at
// that position), and for the rest of the way up to that position from
// the log, by reading its RecommendationIssued and ProgrammeRegistered
// events. Without a projection host, the whole way is read from the log.
//
// Example:
//   ReportRenderer renderer(log, host);
//   pj::ReportRequest request;  // review, period, language, format
//   request.position = 120;
//   absl::StatusOr<std::string> md = renderer.Render(request, {120, {}});
//   std::string seal = Sha256Of(*md);

#ifndef OVERSIGHT_SERVICES_QUERY_REPORT_H_
#define OVERSIGHT_SERVICES_QUERY_REPORT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "eventstore/event_log.h"
#include "projections/commands.h"
#include "projections/read_model.h"
#include "projections/report.h"
#include "services/digest.h"
#include "services/projection_host.h"

namespace oversight::services {

// Thread-safe: it keeps no state of its own.
class ReportRenderer {
 public:
  // `log` must outlive the renderer; so must `host` when not null.
  ReportRenderer(eventstore::EventLog* log, const ProjectionHost* host)
      : log_(log), host_(host) {}

  // The streams a report of `review_id` as at `position` (not 0) is
  // folded from: a superset is fine, as streams are cut at `position`.
  [[nodiscard]] absl::StatusOr<std::vector<std::string>> Streams(
      const std::string& review_id, uint64_t position) const;

  // The report `request` asks for, folded from the events a view as at
  // `filter` takes (filter.position not 0). request.position and
  // request.effective_at are printed in the report, so they should be
  // filter's. RenderReport's errors: INVALID_ARGUMENT (INVALID_PERIOD),
  // NOT_FOUND (REVIEW_NOT_FOUND, PERIOD_NOT_FOUND); the log's otherwise.
  [[nodiscard]] absl::StatusOr<std::string> Render(
      const projections::ReportRequest& request,
      const projections::AsOfFilter& filter) const;

 private:
  eventstore::EventLog* const log_;
  const ProjectionHost* const host_;
};

// What PublishReport decides with: the log's head, and the report
// rendered as at a position and hashed.
class LogReportSealer final : public projections::ReportSealer {
 public:
  // Both must outlive the sealer.
  LogReportSealer(eventstore::EventLog* log, const ReportRenderer* renderer)
      : log_(log), renderer_(renderer) {}

  absl::StatusOr<uint64_t> Head() override;
  absl::StatusOr<Sealed> Seal(
      const projections::ReportRequest& request) override;

 private:
  eventstore::EventLog* const log_;
  const ReportRenderer* const renderer_;
};

// Where `actual` first differs from `expected`, line by line ("\n"
// separates lines); nullopt when they are equal. Lines are cut to
// kMaxDifferenceLineBytes at a UTF-8 boundary, "..." marking the cut.
inline constexpr size_t kMaxDifferenceLineBytes = 200;
struct LineDifference {
  int line = 0;  // 1-based
  std::string expected;
  std::string actual;
  bool expected_missing = false;  // `expected` has fewer lines
  bool actual_missing = false;    // `actual` has fewer lines
};
std::optional<LineDifference> FirstDifference(absl::string_view expected,
                                              absl::string_view actual);

}  // namespace oversight::services

#endif  // OVERSIGHT_SERVICES_QUERY_REPORT_H_
