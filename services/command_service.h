// CommandService: oversight.v1.Commands, the RPCs through which agencies
// record facts (commands.proto).
//
// Every command runs the same way. First, on gRPC's thread, the gate
// (call_gate.h) identifies the caller and checks that its role may call
// the RPC; a refused call is answered at once. Then, off gRPC's threads,
// on the executor:
//  0. parse the request (INVALID_ARGUMENT MALFORMED_REQUEST if it is not
//     a valid message, e.g. text that is not UTF-8);
//  1. wait until no other
//     command with the same consistency key (the review, the programme, or
//     the agency registry; projections/commands.h) is being decided or
//     appended, so that a rule reading one stream and writing another
//     (an update needs its period open) cannot be raced;
//  2. derive the event id from the acting agency and the request id; if
//     the log already holds it, answer from it (the same request: the
//     original result, `deduplicated`) or refuse (another request:
//     ALREADY_EXISTS REQUEST_ID_REUSED);
//  3. load the aggregates from their streams and decide (projections/);
//  4. append with the revision the decision was taken at. If the stream
//     moved in between (ABORTED; only another writer of the log can do
//     that now), go back to 2, at most kMaxAttempts times in all, then
//     answer ABORTED. A refusal is re-checked against step 2 first: a
//     retry that raced its own first send answers from it.
//
// Example:
//   CallGate gate(NewMetadataIdentity());
//   CommandService commands(log, &executor, &gate);
//   builder.RegisterService(&commands);

#ifndef OVERSIGHT_SERVICES_COMMAND_SERVICE_H_
#define OVERSIGHT_SERVICES_COMMAND_SERVICE_H_

#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "eventstore/event_log.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/support/byte_buffer.h"
#include "oversight/v1/commands.grpc.pb.h"
#include "services/call_gate.h"
#include "services/executor.h"
#include "services/keyed_sequencer.h"
#include "services/projection_host.h"
#include "services/query_report.h"

namespace oversight::services {

// The Commands service with every method taking raw bytes, so that a
// request protobuf cannot parse (a string that is not UTF-8) is answered
// by Oversight with INVALID_ARGUMENT instead of by gRPC.
using RawCommandsService = v1::Commands::WithRawCallbackMethod_PublishReport<
    v1::Commands::WithRawCallbackMethod_RegisterAgency<v1::Commands::WithRawCallbackMethod_OpenReview<
        v1::Commands::WithRawCallbackMethod_IssueRecommendation<v1::Commands::WithRawCallbackMethod_OpenReportingPeriod<
            v1::Commands::WithRawCallbackMethod_CloseReportingPeriod<v1::Commands::WithRawCallbackMethod_SubmitProgressUpdate<
                v1::Commands::WithRawCallbackMethod_CorrectProgressUpdate<v1::Commands::WithRawCallbackMethod_WithdrawProgressUpdate<
                    v1::Commands::WithRawCallbackMethod_AssignRating<v1::Commands::WithRawCallbackMethod_RecordMonitoringActivity<
                        v1::Commands::WithRawCallbackMethod_CompleteMonitoringActivity<
                            v1::Commands::WithRawCallbackMethod_RecordMeetingObserved<
                                v1::Commands::WithRawCallbackMethod_RaiseRisk<v1::Commands::WithRawCallbackMethod_ResolveRisk<
                                    v1::Commands::WithRawCallbackMethod_RegisterProgramme<
                                        v1::Commands::WithRawCallbackMethod_SubmitPartnerReport<
                                            v1::Commands::WithRawCallbackMethod_RecordCrossReference<
                                                v1::Commands::WithRawCallbackMethod_CloseRecommendation<
                                                    v1::Commands::WithRawCallbackMethod_ReopenRecommendation<
                                                        v1::Commands::WithRawCallbackMethod_RecordConclusion<
                                                            v1::Commands::
                                                                Service>>>>>>>>>>>>>>>>>>>>>;

class CommandService final : public RawCommandsService {
 public:
  // Attempts at deciding and appending before a command gives up ABORTED.
  static constexpr int kMaxAttempts = 5;

  // `log`, `executor` and `gate` must outlive the service. `clock`
  // gives "now" for commands (tests pass a fixed one). `host`, when given
  // (and then it must outlive the service too), tells PublishReport which
  // streams a report reads without scanning the log (query_report.h).
  CommandService(eventstore::EventLog* log, Executor* executor,
                 const CallGate* gate,
                 absl::AnyInvocable<absl::Time() const> clock = &absl::Now,
                 const ProjectionHost* host = nullptr);

  grpc::ServerUnaryReactor* RegisterAgency(grpc::CallbackServerContext* context,
                                           const grpc::ByteBuffer* request,
                                           grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* OpenReview(grpc::CallbackServerContext* context,
                                       const grpc::ByteBuffer* request,
                                       grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* IssueRecommendation(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
      grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* OpenReportingPeriod(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
      grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* CloseReportingPeriod(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
      grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* SubmitProgressUpdate(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
      grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* CorrectProgressUpdate(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
      grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* WithdrawProgressUpdate(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
      grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* AssignRating(grpc::CallbackServerContext* context,
                                         const grpc::ByteBuffer* request,
                                         grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* RecordMonitoringActivity(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
      grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* CompleteMonitoringActivity(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
      grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* RecordMeetingObserved(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
      grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* RaiseRisk(grpc::CallbackServerContext* context,
                                      const grpc::ByteBuffer* request,
                                      grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* ResolveRisk(grpc::CallbackServerContext* context,
                                        const grpc::ByteBuffer* request,
                                        grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* RegisterProgramme(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
      grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* SubmitPartnerReport(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
      grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* RecordCrossReference(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
      grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* CloseRecommendation(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
      grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* ReopenRecommendation(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
      grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* RecordConclusion(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
      grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* PublishReport(grpc::CallbackServerContext* context,
                                          const grpc::ByteBuffer* request,
                                          grpc::ByteBuffer* response) override;

  // The log's event id of the command `request_id` of `agency_id`: a
  // UUID (version 8) made of SHA-256 of both.
  static eventstore::EventId CommandEventId(absl::string_view agency_id,
                                            absl::string_view request_id);

 private:
  template <typename Request, typename Response>
  grpc::ServerUnaryReactor* Handle(grpc::CallbackServerContext* context,
                                   const grpc::ByteBuffer* request,
                                   grpc::ByteBuffer* response);

  eventstore::EventLog* const log_;
  Executor* const executor_;
  const CallGate* const gate_;
  absl::AnyInvocable<absl::Time() const> clock_;
  // PublishReport renders and seals through these.
  const ReportRenderer renderer_;
  LogReportSealer sealer_;
  // Commands with the same consistency key (projections/commands.h) are
  // decided and appended one at a time.
  KeyedSequencer sequencer_;
};

}  // namespace oversight::services

#endif  // OVERSIGHT_SERVICES_COMMAND_SERVICE_H_
