// QueryService: oversight.v1.Queries (queries.proto), answered from the
// live read models of a ProjectionHost, or, for a moment in the past, by
// folding just the events of what is asked about, read from the log.
//
// Every handler first asks the gate (call_gate.h) who calls and whether
// its role may call the RPC (authorization.h), before it reads its request
// or waits; the work functions get the Caller. Then every call runs on the
// executor. A call with `min_position` first waits (without holding a
// thread) until the read models include it.
//
// Example:
//   QueryService queries(log, host, &executor, &gate, PageTokens(key));
//   builder.RegisterService(&queries);

#ifndef OVERSIGHT_SERVICES_QUERY_SERVICE_H_
#define OVERSIGHT_SERVICES_QUERY_SERVICE_H_

#include <functional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "eventstore/event_log.h"
#include "grpcpp/grpcpp.h"
#include "oversight/v1/queries.grpc.pb.h"
#include "services/authorization.h"
#include "services/call_gate.h"
#include "services/executor.h"
#include "services/identity.h"
#include "services/projection_host.h"
#include "services/query_report.h"
#include "services/query_support.h"

namespace oversight::services {

class QueryService final : public v1::Queries::CallbackService {
 public:
  // Largest and default page sizes of ListHistory.
  static constexpr int kMaxPageSize = 500;
  static constexpr int kDefaultPageSize = 50;

  // Everything must outlive the service. `clock` gives "now" (for what is
  // due, and to refuse an as_of in the future).
  QueryService(eventstore::EventLog* log, ProjectionHost* host,
               Executor* executor, const CallGate* gate, PageTokens tokens,
               std::function<absl::Time()> clock);

  grpc::ServerUnaryReactor* GetStatusBoard(
      grpc::CallbackServerContext* context,
      const v1::GetStatusBoardRequest* request,
      v1::GetStatusBoardResponse* response) override;
  grpc::ServerUnaryReactor* GetRecommendation(
      grpc::CallbackServerContext* context,
      const v1::GetRecommendationRequest* request,
      v1::GetRecommendationResponse* response) override;
  grpc::ServerUnaryReactor* ListHistory(
      grpc::CallbackServerContext* context,
      const v1::ListHistoryRequest* request,
      v1::ListHistoryResponse* response) override;
  grpc::ServerUnaryReactor* ListAttention(
      grpc::CallbackServerContext* context,
      const v1::ListAttentionRequest* request,
      v1::ListAttentionResponse* response) override;
  grpc::ServerUnaryReactor* GetPartnerView(
      grpc::CallbackServerContext* context,
      const v1::GetPartnerViewRequest* request,
      v1::GetPartnerViewResponse* response) override;
  // services/query_report.cc. These two do not call Admit yet, so the
  // table's rows for them are not enforced until they do
  // (tests/services/authorization_test.cc, RowsAwaitingTheGate).
  grpc::ServerUnaryReactor* GetReport(grpc::CallbackServerContext* context,
                                      const v1::GetReportRequest* request,
                                      v1::GetReportResponse* response) override;
  grpc::ServerUnaryReactor* VerifyReport(
      grpc::CallbackServerContext* context,
      const v1::VerifyReportRequest* request,
      v1::VerifyReportResponse* response) override;

 private:
  // Who calls the Queries method taking `Request`, if they may: the
  // handler's first step (call_gate.h).
  template <typename Request>
  absl::StatusOr<Caller> Admit(const grpc::CallbackServerContext& context) {
    return gate_->Admit(context, RpcName<v1::Queries, Request>());
  }
  // A call refused before it started: finished at once with `status`.
  static grpc::ServerUnaryReactor* Refuse(grpc::CallbackServerContext* context,
                                          const absl::Status& status);

  // Runs `work` on the executor once the read models include
  // `min_position`, and finishes the call with its status. The handler has
  // admitted the call first.
  grpc::ServerUnaryReactor* Run(grpc::CallbackServerContext* context,
                                uint64_t min_position,
                                std::function<absl::Status()> work);

  absl::Status StatusBoard(const Caller& caller,
                           const v1::GetStatusBoardRequest& request,
                           v1::GetStatusBoardResponse* response);
  absl::Status Recommendation(const Caller& caller,
                              const v1::GetRecommendationRequest& request,
                              v1::GetRecommendationResponse* response);
  absl::Status History(const v1::ListHistoryRequest& request,
                       v1::ListHistoryResponse* response);
  absl::Status Attention(const Caller& caller,
                         const v1::ListAttentionRequest& request,
                         v1::ListAttentionResponse* response);
  absl::Status PartnerView(const Caller& caller,
                           const v1::GetPartnerViewRequest& request,
                           v1::GetPartnerViewResponse* response);
  absl::Status ReportContent(const v1::GetReportRequest& request,
                             v1::GetReportResponse* response);
  absl::Status ReportVerification(const v1::VerifyReportRequest& request,
                                  v1::VerifyReportResponse* response);

  // The review as at `filter`, folded from the log: its stream and those
  // of its recommendations (numbers from the live models).
  absl::StatusOr<v1::ProjectionState> ReviewAsOf(
      const std::string& review_id, const projections::AsOfFilter& filter);

  eventstore::EventLog* const log_;
  ProjectionHost* const host_;
  Executor* const executor_;
  const CallGate* const gate_;
  const PageTokens tokens_;
  const std::function<absl::Time()> clock_;
  const ReportRenderer reports_;
};

}  // namespace oversight::services

#endif  // OVERSIGHT_SERVICES_QUERY_SERVICE_H_
