// CommandService: oversight.v1.Commands, the RPCs through which agencies
// record facts (commands.proto).
//
// Every command runs the same way, off gRPC's threads, on the executor:
//  1. identify the caller (IdentityProvider);
//  2. derive the event id from the acting agency and the request id; if
//     the log already holds it, answer from it (the same request: the
//     original result, `deduplicated`) or refuse (another request:
//     ALREADY_EXISTS REQUEST_ID_REUSED);
//  3. load the aggregates from their streams and decide (projections/);
//  4. append with the revision the decision was taken at. If the stream
//     moved in between (ABORTED), go back to 2, at most kMaxAttempts
//     times in all, then answer ABORTED.
//
// Example:
//   CommandService commands(log, &executor, identity.get());
//   builder.RegisterService(&commands);

#ifndef OVERSIGHT_SERVICES_COMMAND_SERVICE_H_
#define OVERSIGHT_SERVICES_COMMAND_SERVICE_H_

#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "eventstore/event_log.h"
#include "grpcpp/grpcpp.h"
#include "oversight/v1/commands.grpc.pb.h"
#include "services/executor.h"
#include "services/identity.h"

namespace oversight::services {

class CommandService final : public v1::Commands::CallbackService {
 public:
  // Attempts at deciding and appending before a command gives up ABORTED.
  static constexpr int kMaxAttempts = 5;

  // `log`, `executor` and `identity` must outlive the service. `clock`
  // gives "now" for commands (tests pass a fixed one).
  CommandService(eventstore::EventLog* log, Executor* executor,
                 const IdentityProvider* identity,
                 absl::AnyInvocable<absl::Time() const> clock = &absl::Now);

  grpc::ServerUnaryReactor* RegisterAgency(
      grpc::CallbackServerContext* context,
      const v1::RegisterAgencyRequest* request,
      v1::RegisterAgencyResponse* response) override;
  grpc::ServerUnaryReactor* OpenReview(
      grpc::CallbackServerContext* context,
      const v1::OpenReviewRequest* request,
      v1::OpenReviewResponse* response) override;
  grpc::ServerUnaryReactor* IssueRecommendation(
      grpc::CallbackServerContext* context,
      const v1::IssueRecommendationRequest* request,
      v1::IssueRecommendationResponse* response) override;
  grpc::ServerUnaryReactor* OpenReportingPeriod(
      grpc::CallbackServerContext* context,
      const v1::OpenReportingPeriodRequest* request,
      v1::OpenReportingPeriodResponse* response) override;
  grpc::ServerUnaryReactor* CloseReportingPeriod(
      grpc::CallbackServerContext* context,
      const v1::CloseReportingPeriodRequest* request,
      v1::CloseReportingPeriodResponse* response) override;
  grpc::ServerUnaryReactor* SubmitProgressUpdate(
      grpc::CallbackServerContext* context,
      const v1::SubmitProgressUpdateRequest* request,
      v1::SubmitProgressUpdateResponse* response) override;
  grpc::ServerUnaryReactor* CorrectProgressUpdate(
      grpc::CallbackServerContext* context,
      const v1::CorrectProgressUpdateRequest* request,
      v1::CorrectProgressUpdateResponse* response) override;
  grpc::ServerUnaryReactor* WithdrawProgressUpdate(
      grpc::CallbackServerContext* context,
      const v1::WithdrawProgressUpdateRequest* request,
      v1::WithdrawProgressUpdateResponse* response) override;
  grpc::ServerUnaryReactor* AssignRating(
      grpc::CallbackServerContext* context,
      const v1::AssignRatingRequest* request,
      v1::AssignRatingResponse* response) override;
  grpc::ServerUnaryReactor* RecordMonitoringActivity(
      grpc::CallbackServerContext* context,
      const v1::RecordMonitoringActivityRequest* request,
      v1::RecordMonitoringActivityResponse* response) override;
  grpc::ServerUnaryReactor* CompleteMonitoringActivity(
      grpc::CallbackServerContext* context,
      const v1::CompleteMonitoringActivityRequest* request,
      v1::CompleteMonitoringActivityResponse* response) override;
  grpc::ServerUnaryReactor* RecordMeetingObserved(
      grpc::CallbackServerContext* context,
      const v1::RecordMeetingObservedRequest* request,
      v1::RecordMeetingObservedResponse* response) override;
  grpc::ServerUnaryReactor* RaiseRisk(
      grpc::CallbackServerContext* context,
      const v1::RaiseRiskRequest* request,
      v1::RaiseRiskResponse* response) override;
  grpc::ServerUnaryReactor* ResolveRisk(
      grpc::CallbackServerContext* context,
      const v1::ResolveRiskRequest* request,
      v1::ResolveRiskResponse* response) override;
  grpc::ServerUnaryReactor* RegisterProgramme(
      grpc::CallbackServerContext* context,
      const v1::RegisterProgrammeRequest* request,
      v1::RegisterProgrammeResponse* response) override;
  grpc::ServerUnaryReactor* SubmitPartnerReport(
      grpc::CallbackServerContext* context,
      const v1::SubmitPartnerReportRequest* request,
      v1::SubmitPartnerReportResponse* response) override;
  grpc::ServerUnaryReactor* RecordCrossReference(
      grpc::CallbackServerContext* context,
      const v1::RecordCrossReferenceRequest* request,
      v1::RecordCrossReferenceResponse* response) override;
  grpc::ServerUnaryReactor* CloseRecommendation(
      grpc::CallbackServerContext* context,
      const v1::CloseRecommendationRequest* request,
      v1::CloseRecommendationResponse* response) override;
  grpc::ServerUnaryReactor* ReopenRecommendation(
      grpc::CallbackServerContext* context,
      const v1::ReopenRecommendationRequest* request,
      v1::ReopenRecommendationResponse* response) override;
  grpc::ServerUnaryReactor* RecordConclusion(
      grpc::CallbackServerContext* context,
      const v1::RecordConclusionRequest* request,
      v1::RecordConclusionResponse* response) override;

  // The log's event id of the command `request_id` of `agency_id`: a
  // UUID (version 8) made of SHA-256 of both.
  static eventstore::EventId CommandEventId(absl::string_view agency_id,
                                            absl::string_view request_id);

 private:
  template <typename Request, typename Response>
  grpc::ServerUnaryReactor* Handle(grpc::CallbackServerContext* context,
                                   const Request* request, Response* response);

  eventstore::EventLog* const log_;
  Executor* const executor_;
  const IdentityProvider* const identity_;
  absl::AnyInvocable<absl::Time() const> clock_;
};

}  // namespace oversight::services

#endif  // OVERSIGHT_SERVICES_COMMAND_SERVICE_H_
