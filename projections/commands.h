// The domain's rules: given a command, the acting agency and the state of
// the aggregates it touches, decide which event to record, or why not.
//
// Pure: state comes from an EventSource (the server reads the log; tests
// and offline replays use memory), time from CommandContext. Nothing here
// writes. The caller appends Decision::event to Decision::stream with
// Decision::expected_revision, and decides again if that fails because the
// stream moved.
//
// Checks run in this order, so the most basic problem is reported first:
// the request's shape (INVALID_ARGUMENT); the acting agency
// (PERMISSION_DENIED AGENCY_NOT_REGISTERED); the aggregate that decides
// who may act (the review, the recommendation, the programme: NOT_FOUND);
// whether this agency may do it (PERMISSION_DENIED); then everything else
// the command names (a period, a theme, related recommendations:
// NOT_FOUND) and whether the state allows it now (ALREADY_EXISTS,
// FAILED_PRECONDITION). An agency that may not act learns nothing more
// about the aggregate than that.
//
// Example:
//   CommandContext ctx{actor, absl::Now()};
//   absl::StatusOr<Decision> d = DecideCommand(ctx, request, source);
//   if (d.ok()) log.Append(d->stream, ..., Serialize(d->event));

#ifndef OVERSIGHT_PROJECTIONS_COMMANDS_H_
#define OVERSIGHT_PROJECTIONS_COMMANDS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "oversight/v1/commands.pb.h"
#include "oversight/v1/domain.pb.h"
#include "projections/report.h"
#include "projections/validation.h"

namespace oversight::projections {

// Where decisions read aggregate state from.
class EventSource {
 public:
  virtual ~EventSource() = default;
  // Every domain event of `stream`, in order; empty when the stream does
  // not exist. The stream's revision is the number of events minus one.
  [[nodiscard]] virtual absl::StatusOr<std::vector<v1::DomainEvent>> Read(
      absl::string_view stream) = 0;
  // Whether `stream` has any event. The default reads it whole; sources
  // that can answer from the stream's head should.
  [[nodiscard]] virtual absl::StatusOr<bool> StreamExists(
      absl::string_view stream) {
    absl::StatusOr<std::vector<v1::DomainEvent>> events = Read(stream);
    if (!events.ok()) return events.status();
    return !events->empty();
  }
};

// The unit within which commands must be decided one at a time for the
// rules to hold: "review:{id}" for every command on a review or anything
// in it (a rule on a recommendation may depend on the review's periods),
// "programme:{id}" for partner reports, "agencies" for registrations.
// Commands with different keys never read state the other may change.
std::string ConsistencyKey(const google::protobuf::Message& request);

// What PublishReport needs besides the aggregates: the log's head, and
// the report rendered from the log as at a position with the SHA-256 of
// its bytes. The server renders from its log (services/query_report.h);
// tests may fake it.
class ReportSealer {
 public:
  struct Sealed {
    std::string sha256;  // 32 bytes
    uint64_t byte_size = 0;
  };
  virtual ~ReportSealer() = default;
  // The last position of the log.
  [[nodiscard]] virtual absl::StatusOr<uint64_t> Head() = 0;
  // The report `request` asks for, rendered from the events recorded by
  // request.position (RenderReport's errors: NOT_FOUND REVIEW_NOT_FOUND
  // or PERIOD_NOT_FOUND when they did not exist yet then).
  [[nodiscard]] virtual absl::StatusOr<Sealed> Seal(
      const ReportRequest& request) = 0;
};

struct CommandContext {
  v1::Actor actor;  // The authenticated agency and person.
  absl::Time now;   // For defaults and "not in the future" checks.
  // For PublishReport; nullptr where reports cannot be rendered, and then
  // PublishReport is UNIMPLEMENTED.
  ReportSealer* reports = nullptr;
};

struct Decision {
  std::string stream;
  // The stream's revision the decision was taken at; nullopt: the stream
  // must not exist yet.
  std::optional<uint64_t> expected_revision;
  // The event to record, envelope included (request_sha256 excepted).
  // EntityIdOf(event) names what it created or touched.
  v1::DomainEvent event;
};

absl::StatusOr<Decision> Decide(const CommandContext& ctx,
                                const v1::RegisterAgencyRequest& request,
                                EventSource& source);
absl::StatusOr<Decision> Decide(const CommandContext& ctx,
                                const v1::OpenReviewRequest& request,
                                EventSource& source);
absl::StatusOr<Decision> Decide(const CommandContext& ctx,
                                const v1::IssueRecommendationRequest& request,
                                EventSource& source);
absl::StatusOr<Decision> Decide(const CommandContext& ctx,
                                const v1::OpenReportingPeriodRequest& request,
                                EventSource& source);
absl::StatusOr<Decision> Decide(const CommandContext& ctx,
                                const v1::CloseReportingPeriodRequest& request,
                                EventSource& source);
absl::StatusOr<Decision> Decide(const CommandContext& ctx,
                                const v1::SubmitProgressUpdateRequest& request,
                                EventSource& source);
absl::StatusOr<Decision> Decide(const CommandContext& ctx,
                                const v1::CorrectProgressUpdateRequest& request,
                                EventSource& source);
absl::StatusOr<Decision> Decide(
    const CommandContext& ctx, const v1::WithdrawProgressUpdateRequest& request,
    EventSource& source);
absl::StatusOr<Decision> Decide(const CommandContext& ctx,
                                const v1::AssignRatingRequest& request,
                                EventSource& source);
absl::StatusOr<Decision> Decide(
    const CommandContext& ctx,
    const v1::RecordMonitoringActivityRequest& request, EventSource& source);
absl::StatusOr<Decision> Decide(
    const CommandContext& ctx,
    const v1::CompleteMonitoringActivityRequest& request, EventSource& source);
absl::StatusOr<Decision> Decide(const CommandContext& ctx,
                                const v1::RecordMeetingObservedRequest& request,
                                EventSource& source);
absl::StatusOr<Decision> Decide(const CommandContext& ctx,
                                const v1::RaiseRiskRequest& request,
                                EventSource& source);
absl::StatusOr<Decision> Decide(const CommandContext& ctx,
                                const v1::ResolveRiskRequest& request,
                                EventSource& source);
absl::StatusOr<Decision> Decide(const CommandContext& ctx,
                                const v1::RegisterProgrammeRequest& request,
                                EventSource& source);
absl::StatusOr<Decision> Decide(const CommandContext& ctx,
                                const v1::SubmitPartnerReportRequest& request,
                                EventSource& source);
absl::StatusOr<Decision> Decide(const CommandContext& ctx,
                                const v1::RecordCrossReferenceRequest& request,
                                EventSource& source);
absl::StatusOr<Decision> Decide(const CommandContext& ctx,
                                const v1::CloseRecommendationRequest& request,
                                EventSource& source);
absl::StatusOr<Decision> Decide(const CommandContext& ctx,
                                const v1::ReopenRecommendationRequest& request,
                                EventSource& source);
absl::StatusOr<Decision> Decide(const CommandContext& ctx,
                                const v1::RecordConclusionRequest& request,
                                EventSource& source);
// Checks the request, who acts, that the period exists and that the
// position is not past the head (0: the head), then has ctx.reports
// render and seal the report.
absl::StatusOr<Decision> Decide(const CommandContext& ctx,
                                const v1::PublishReportRequest& request,
                                EventSource& source);

// Checks the fields every command carries (request_id, classification,
// occurred_at), decides, and fills the event's envelope: occurred_at
// (default ctx.now), classification, actor and request_id.
template <typename Request>
absl::StatusOr<Decision> DecideCommand(const CommandContext& ctx,
                                       const Request& request,
                                       EventSource& source) {
  if (absl::Status s = CheckRequestId(request.request_id()); !s.ok()) return s;
  if (absl::Status s = CheckEnum("classification", request.classification(),
                                 v1::Classification_IsValid);
      !s.ok()) {
    return s;
  }
  absl::StatusOr<absl::Time> occurred_at = CheckOccurredAt(
      request.has_occurred_at(), request.occurred_at(), ctx.now);
  if (!occurred_at.ok()) return occurred_at.status();
  absl::StatusOr<Decision> decision = Decide(ctx, request, source);
  if (!decision.ok()) return decision;
  v1::DomainEvent& e = decision->event;
  // Seconds rounded down, so nanos stay in [0, 1e9) before 1970 too.
  const int64_t seconds = absl::ToUnixSeconds(*occurred_at);
  e.mutable_occurred_at()->set_seconds(seconds);
  e.mutable_occurred_at()->set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(*occurred_at - absl::FromUnixSeconds(seconds))));
  e.set_classification(request.classification());
  *e.mutable_actor() = ctx.actor;
  e.set_request_id(request.request_id());
  return decision;
}

}  // namespace oversight::projections

#endif  // OVERSIGHT_PROJECTIONS_COMMANDS_H_
