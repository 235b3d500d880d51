// QueryService: oversight.v1.Queries (queries.proto), answered from the
// live read models of a ProjectionHost, or, for a moment in the past, by
// folding just the events of what is asked about, read from the log.
//
// Every handler first asks the gate (call_gate.h) who calls and whether
// its role may call the RPC (authorization.h), before it reads its request
// or waits, and reads the call's justification (access_log.h); the work
// functions get the Reading. Then every call runs on the executor. A call
// with `min_position` first waits (without holding a thread) until the
// read models include it. FollowHistory streams ListHistory's entries
// (query_follow.cc), waiting for news the same way.
//
// Need-to-know (projections/need_to_know.h, docs/security.md): an answer
// about a subject the read models hold no OFFICIAL-SENSITIVE event for is
// served from the live models; otherwise it is folded from the subject's
// streams for its reader, leaving out what the reader may not read. An
// answer that carries sensitive content, and every report rendered, is
// recorded in the access log before it is sent; when it cannot be
// recorded, the call fails and nothing is sent.
//
// Example:
//   QueryService queries(log, host, &executor, &gate, PageTokens(key));
//   builder.RegisterService(&queries);

#ifndef OVERSIGHT_SERVICES_QUERY_SERVICE_H_
#define OVERSIGHT_SERVICES_QUERY_SERVICE_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "eventstore/event_log.h"
#include "grpcpp/grpcpp.h"
#include "oversight/v1/queries.grpc.pb.h"
#include "projections/need_to_know.h"
#include "services/access_log.h"
#include "services/authorization.h"
#include "services/call_gate.h"
#include "services/disclosure.h"
#include "services/executor.h"
#include "services/identity.h"
#include "services/projection_host.h"
#include "services/query_report.h"
#include "services/query_support.h"
#include "services/raw_calls.h"

namespace oversight::services {

class FollowHistoryReactor;  // services/query_follow.cc

// INVALID_ARGUMENT: FollowHistory's after_position is beyond the log's head.
inline constexpr char kReasonAfterPositionInFuture[] =
    "AFTER_POSITION_IN_FUTURE";

// PERMISSION_DENIED: the Panel asked GetReport as at a moment; it reads
// published reports only, as they were published.
inline constexpr char kReasonPublishedReportsOnly[] = "PUBLISHED_REPORTS_ONLY";

// The Queries service with every method taking raw bytes (raw_calls.h).
using RawQueriesService = v1::Queries::WithRawCallbackMethod_GetStatusBoard<
    v1::Queries::WithRawCallbackMethod_GetRecommendation<
        v1::Queries::WithRawCallbackMethod_ListHistory<
            v1::Queries::WithRawCallbackMethod_FollowHistory<
                v1::Queries::WithRawCallbackMethod_ListAttention<
                    v1::Queries::WithRawCallbackMethod_GetPartnerView<
                        v1::Queries::WithRawCallbackMethod_GetReport<
                            v1::Queries::WithRawCallbackMethod_VerifyReport<
                                v1::Queries::
                                    WithRawCallbackMethod_ListAccessLog<
                                        v1::Queries::Service>>>>>>>>>;

class QueryService final : public RawQueriesService {
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
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request,
      grpc::ByteBuffer* raw_response) override;
  grpc::ServerUnaryReactor* GetRecommendation(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request,
      grpc::ByteBuffer* raw_response) override;
  grpc::ServerUnaryReactor* ListHistory(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request,
      grpc::ByteBuffer* raw_response) override;
  // services/query_follow.cc
  grpc::ServerWriteReactor<grpc::ByteBuffer>* FollowHistory(
      grpc::CallbackServerContext* context,
      const grpc::ByteBuffer* raw_request) override;
  grpc::ServerUnaryReactor* ListAttention(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request,
      grpc::ByteBuffer* raw_response) override;
  grpc::ServerUnaryReactor* GetPartnerView(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request,
      grpc::ByteBuffer* raw_response) override;
  // services/query_report.cc
  grpc::ServerUnaryReactor* GetReport(grpc::CallbackServerContext* context,
                                      const grpc::ByteBuffer* raw_request,
                                      grpc::ByteBuffer* raw_response) override;
  grpc::ServerUnaryReactor* VerifyReport(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request,
      grpc::ByteBuffer* raw_response) override;
  grpc::ServerUnaryReactor* ListAccessLog(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request,
      grpc::ByteBuffer* raw_response) override;

 private:
  // What a fold for a reader left out and carried.
  struct Disclosed {
    std::vector<uint64_t> consulted;  // sensitive positions it carried
    uint32_t withheld = 0;            // sensitive events it left out
  };

  // Who calls the Queries method taking `Request`, if they may, and the
  // reader they read as: the handler's first step (call_gate.h).
  template <typename Request>
  absl::StatusOr<Reading> Admit(const grpc::CallbackServerContext& context) {
    return AdmitReading(*gate_, context, RpcName<v1::Queries, Request>());
  }

  // Records, when `disclosed` carried sensitive content, the consultation
  // of the Queries method taking `Request` in the access log, and says
  // where in `reflects`, with what was withheld. The call must fail when
  // this does.
  template <typename Request>
  absl::Status RecordConsultation(const Reading& reading,
                                  const Request& request,
                                  const Disclosed& disclosed,
                                  v1::Reflects* reflects) {
    return Record(reading, RpcName<v1::Queries, Request>(), request, disclosed,
                  reflects);
  }
  absl::Status Record(const Reading& reading, const std::string& method,
                      const google::protobuf::Message& request,
                      const Disclosed& disclosed, v1::Reflects* reflects);
  // Serves a unary call of the Queries method taking `Request`: admits
  // it (the handler's first step), parses its request (INVALID_ARGUMENT
  // MALFORMED_REQUEST when it is not one), refuses it with what
  // `check(reading, request)` returns unless OK (when given), then runs
  // `work(reading, request, response)` as Run does.
  template <typename Request, typename Response, typename Work,
            typename Check = std::nullptr_t>
  grpc::ServerUnaryReactor* Serve(grpc::CallbackServerContext* context,
                                  const grpc::ByteBuffer* raw_request,
                                  grpc::ByteBuffer* raw_response, Work work,
                                  Check check = nullptr) {
    auto* call = new RawUnaryCall<Request, Response>(context, raw_response);
    absl::StatusOr<Reading> reading = Admit<Request>(*context);
    if (!reading.ok()) return call->Answer(reading.status());
    if (!call->Parse(*raw_request)) return call;
    if constexpr (!std::is_same_v<Check, std::nullptr_t>) {
      if (absl::Status s = check(*reading, *call->request()); !s.ok()) {
        return call->Answer(s);
      }
    }
    Run(call, call->request()->min_position(),
        [call, reading = *std::move(reading), work = std::move(work)] {
          return work(reading, *call->request(), call->response());
        });
    return call;
  }

  // Runs `work` on the executor once the read models include
  // `min_position`, and answers `call` with its status.
  void Run(RawUnaryReactor* call, uint64_t min_position,
           std::function<absl::Status()> work);

  absl::Status StatusBoard(const Reading& reading,
                           const v1::GetStatusBoardRequest& request,
                           v1::GetStatusBoardResponse* response);
  absl::Status Recommendation(const Reading& reading,
                              const v1::GetRecommendationRequest& request,
                              v1::GetRecommendationResponse* response);
  absl::Status History(const Reading& reading,
                       const v1::ListHistoryRequest& request,
                       v1::ListHistoryResponse* response);
  // The subject keys a history request names, most selective first, with
  // its subject and event type filters checked (INVALID_ARGUMENT).
  static absl::StatusOr<std::vector<std::string>> HistoryKeys(
      const v1::ListHistoryRequest& request);
  // What ScanHistory examined, and what its entries left out and carried.
  struct HistoryStretch {
    uint64_t last_examined = 0;  // resume after this
    bool more = false;           // entries up to the pinned position remain
    Disclosed disclosed;
  };
  // Appends to `entries` up to `page_size` of the history `request` and
  // `keys` (HistoryKeys) select, as `reading` may see it, at positions in
  // (after_position, pinned_position] that occurred by `effective` (unix
  // micros). Examines at most a few thousand candidates per call.
  absl::Status ScanHistory(
      const Reading& reading, const v1::ListHistoryRequest& request,
      const std::vector<std::string>& keys, int64_t effective,
      uint64_t after_position, uint64_t pinned_position, size_t page_size,
      google::protobuf::RepeatedPtrField<v1::HistoryEntry>* entries,
      HistoryStretch* stretch);
  absl::Status Attention(const Reading& reading,
                         const v1::ListAttentionRequest& request,
                         v1::ListAttentionResponse* response);
  absl::Status PartnerView(const Reading& reading,
                           const v1::GetPartnerViewRequest& request,
                           v1::GetPartnerViewResponse* response);
  absl::Status ReportContent(const Reading& reading,
                             const v1::GetReportRequest& request,
                             v1::GetReportResponse* response);
  absl::Status ReportVerification(const v1::VerifyReportRequest& request,
                                  v1::VerifyReportResponse* response);

  // The review as at `filter`, folded from the log for `reader`: its
  // stream and those of its recommendations (numbers from the live
  // models), without the events `reader` may not read.
  absl::StatusOr<v1::ProjectionState> ReviewAsOf(
      const std::string& review_id, const projections::AsOfFilter& filter,
      const projections::Reader& reader, Disclosed* disclosed);
  // Whether the live state answers `reader` exactly about the subject
  // under history key `key`: it holds no sensitive event there, or the
  // reader may read every one (entitled, with a justification), and then
  // `disclosed` gets their positions. Otherwise the answer must be folded
  // for the reader.
  static bool LiveAnswers(const v1::ProjectionState& state,
                          const std::string& key,
                          const projections::Reader& reader,
                          Disclosed* disclosed);
  // A review folded from its streams without any of its sensitive events,
  // as it stood when its history's last posting was `version`: the answer
  // for every reader who may read none of them, kept so that they need not
  // fold it again until the review changes.
  struct OfficialFold {
    uint64_t version = 0;
    v1::ProjectedReview review;
    uint32_t withheld = 0;
  };
  // Whether `reader` may read none of the sensitive events under the
  // review's history key, so that the official-only fold answers it.
  static bool ReadsNoneOf(const v1::ProjectionState& state,
                          const std::string& review_key,
                          const projections::Reader& reader);
  // The review's version for the official-only fold (its history's last
  // posting) when `reader` reads none of its sensitive events; nullopt
  // when the answer must be folded for the reader alone.
  static std::optional<uint64_t> OfficialVersion(
      const v1::ProjectionState& state, const std::string& review_id,
      const projections::Reader& reader);
  // The review's fold for readers of none of its sensitive events, now
  // (`version`, `position`: the review's last posting and the state's
  // position, read together), from the cache or folded and kept.
  absl::StatusOr<std::shared_ptr<const OfficialFold>> OfficialReview(
      const std::string& review_id, uint64_t version, uint64_t position);
  // `events` as `reader` may read them, noting what it left out and
  // carried in `disclosed`.
  static std::vector<projections::RecordedDomainEvent> ForReader(
      std::vector<projections::RecordedDomainEvent> events,
      const projections::Reader& reader, Disclosed* disclosed);

  friend class FollowHistoryReactor;

  eventstore::EventLog* const log_;
  ProjectionHost* const host_;
  Executor* const executor_;
  const CallGate* const gate_;
  const PageTokens tokens_;
  const std::function<absl::Time()> clock_;
  const ReportRenderer reports_;
  const AccessLog access_log_;
  absl::Mutex folds_mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<const OfficialFold>>
      official_folds_ ABSL_GUARDED_BY(folds_mu_);
};

}  // namespace oversight::services

#endif  // OVERSIGHT_SERVICES_QUERY_SERVICE_H_
