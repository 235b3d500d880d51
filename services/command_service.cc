#include "services/command_service.h"

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "eventstore/errors.h"
#include "projections/aggregates.h"
#include "projections/commands.h"
#include "projections/domain_errors.h"
#include "services/authorization.h"
#include "services/digest.h"
#include "services/keyed_sequencer.h"
#include "services/log_event_source.h"
#include "services/raw_calls.h"
#include "services/status_mapping.h"

namespace oversight::services {
namespace {

namespace es = ::oversight::eventstore;
namespace pj = ::oversight::projections;

// What identifies a request for retries: its message type and content.
std::string Fingerprint(const google::protobuf::Message& request) {
  return Sha256Of(absl::StrCat(request.GetDescriptor()->full_name(), "\n",
                               SerializeDeterministic(request)));
}

void SetTimestamp(absl::Time t, google::protobuf::Timestamp* out) {
  const int64_t micros = absl::ToUnixMicros(t);
  int64_t seconds = micros / 1000000;
  int64_t rest = micros % 1000000;
  if (rest < 0) {
    rest += 1000000;
    --seconds;
  }
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>(rest * 1000));
}

// What a command's response holds beyond its CommandResult, taken from
// the event it recorded: nothing, but for PublishReport the seal.
template <typename Response>
void FillFromEvent(const v1::DomainEvent& event, Response* response) {}
void FillFromEvent(const v1::DomainEvent& event,
                   v1::PublishReportResponse* response) {
  *response->mutable_report() = event.report_published();
}

// One command in flight. Owned by shared pointers held by the tasks and
// callbacks working on it; finishes the reactor exactly once.
template <typename Request, typename Response>
class CommandOp
    : public std::enable_shared_from_this<CommandOp<Request, Response>> {
 public:
  CommandOp(es::EventLog* log, Executor* executor, pj::ReportSealer* reports,
            absl::Time now, grpc::CallbackServerContext* context,
            grpc::ServerUnaryReactor* reactor, Request request,
            grpc::ByteBuffer* response, v1::Actor actor)
      : log_(log),
        executor_(executor),
        reports_(reports),
        now_(now),
        context_(context),
        reactor_(reactor),
        request_(std::move(request)),
        out_(response),
        actor_(std::move(actor)),
        event_id_(CommandService::CommandEventId(actor_.agency_id(),
                                                 request_.request_id())),
        fingerprint_(Fingerprint(request_)) {}

  // Runs the command while holding `done`, its key in the sequencer,
  // which is released just before the answer (Answer), whichever thread
  // gives it. Not later, when the last reference to the op goes: that can
  // be the log's writer thread dropping its callback after the answer let
  // the server shut down and destroy the sequencer.
  void Start(KeyedSequencer::Done done) {
    done_ = std::move(done);
    Run();
  }

 private:
  void Schedule() {
    executor_->Schedule([self = this->shared_from_this()] { self->Run(); });
  }

  void Run() {
    ++attempts_;
    // Refuse a malformed request id before using it to look anything up.
    if (absl::Status s = pj::CheckRequestId(request_.request_id()); !s.ok()) {
      return Fail(s);
    }
    absl::StatusOr<es::RecordedEvent> prior = log_->ReadEvent(event_id_);
    if (prior.ok()) return AnswerFromPrior(*prior);
    if (!absl::IsNotFound(prior.status())) return Fail(prior.status());

    LogEventSource source(log_);
    const pj::CommandContext ctx{actor_, now_, reports_};
    absl::StatusOr<pj::Decision> decision =
        pj::DecideCommand(ctx, request_, source);
    if (!decision.ok()) {
      // The first send of this very request may have been recorded since
      // the lookup above (a retry racing it), and the rules now see its
      // effect: answer from it rather than refuse.
      absl::StatusOr<es::RecordedEvent> late = log_->ReadEvent(event_id_);
      if (late.ok()) return AnswerFromPrior(*late);
      return Fail(decision.status());
    }
    decision->event.set_request_sha256(fingerprint_);

    es::ProposedEvent proposed;
    proposed.id = event_id_;
    proposed.type = pj::EventTypeName(decision->event);
    proposed.data = SerializeDeterministic(decision->event);
    const es::ExpectedRevision expected =
        decision->expected_revision
            ? es::ExpectedRevision::Exact(*decision->expected_revision)
            : es::ExpectedRevision::NoStream();
    v1::CommandResult* result = response_.mutable_result();
    result->set_stream(decision->stream);
    result->set_event_id(event_id_.ToString());
    result->set_entity_id(pj::EntityIdOf(decision->event));
    *result->mutable_occurred_at() = decision->event.occurred_at();
    FillFromEvent(decision->event, &response_);
    std::vector<es::ProposedEvent> events;
    events.push_back(std::move(proposed));
    log_->AppendAsync(decision->stream, expected, std::move(events),
                      [self = this->shared_from_this()](
                          absl::StatusOr<es::AppendResult> appended) {
                        self->OnAppended(std::move(appended));
                      });
  }

  // Runs on the log's writer thread: only quick work here.
  void OnAppended(absl::StatusOr<es::AppendResult> appended) {
    if (appended.ok()) {
      v1::CommandResult* result = response_.mutable_result();
      result->set_position(appended->first_position);
      result->set_revision(appended->first_revision);
      SetTimestamp(appended->recorded_at, result->mutable_recorded_at());
      result->set_deduplicated(appended->deduplicated);
      FinishOk();
      return;
    }
    const std::optional<std::string> reason = es::ReasonOf(appended.status());
    // The stream moved since we decided, or a concurrent retry of this very
    // request won: decide again, which answers from the stored event in
    // the second case.
    const bool moved = absl::IsAborted(appended.status()) &&
                       reason == es::kReasonWrongExpectedRevision;
    const bool raced = absl::IsAlreadyExists(appended.status()) &&
                       reason == es::kReasonEventIdReused;
    if ((moved || raced) && attempts_ < CommandService::kMaxAttempts) {
      response_.Clear();
      Schedule();
      return;
    }
    Fail(appended.status());
  }

  void AnswerFromPrior(const es::RecordedEvent& prior) {
    v1::DomainEvent event;
    // Command ids are reserved (raw_append_policy.h), so what is stored
    // under one is a domain event; check anyway, as the log outlives
    // policies.
    if (!pj::IsDomainStream(prior.stream) ||
        !event.ParseFromString(prior.data) ||
        prior.type != pj::EventTypeName(event) ||
        event.request_id() != request_.request_id() ||
        event.actor().agency_id() != actor_.agency_id()) {
      return Fail(es::WithReason(
          absl::InternalError(absl::StrCat(
              "event at position ", prior.position,
              " has this command's id but is not its domain event")),
          pj::kReasonCorruptDomainEvent));
    }
    if (event.request_sha256() != fingerprint_) {
      return Fail(pj::AlreadyExists(
          pj::kReasonRequestIdReused,
          absl::StrCat("request id \"", request_.request_id(),
                       "\" of agency \"", actor_.agency_id(),
                       "\" was already used for another request (position ",
                       prior.position, ")")));
    }
    response_.Clear();
    v1::CommandResult* result = response_.mutable_result();
    result->set_position(prior.position);
    result->set_stream(prior.stream);
    result->set_revision(prior.revision);
    result->set_event_id(prior.id.ToString());
    *result->mutable_occurred_at() = event.occurred_at();
    SetTimestamp(prior.recorded_at, result->mutable_recorded_at());
    result->set_deduplicated(true);
    result->set_entity_id(pj::EntityIdOf(event));
    FillFromEvent(event, &response_);
    FinishOk();
  }

  void FinishOk() {
    grpc::Slice slice(SerializeDeterministic(response_));
    grpc::ByteBuffer buffer(&slice, 1);
    out_->Swap(&buffer);
    Answer(grpc::Status::OK);
  }

  void Fail(const absl::Status& status) {
    response_.Clear();
    Answer(ToGrpcStatus(status, context_));
  }

  // The op's last touch of the server: the sequencer's key goes first, as
  // once the call is finished the server may be destroyed.
  void Answer(const grpc::Status& status) {
    done_.Call();
    reactor_->Finish(status);
  }

  es::EventLog* const log_;
  Executor* const executor_;
  pj::ReportSealer* const reports_;
  const absl::Time now_;
  grpc::CallbackServerContext* const context_;
  grpc::ServerUnaryReactor* const reactor_;
  const Request request_;
  Response response_;
  grpc::ByteBuffer* const out_;
  const v1::Actor actor_;
  const es::EventId event_id_;
  const std::string fingerprint_;
  int attempts_ = 0;
  KeyedSequencer::Done done_;
};

}  // namespace

CommandService::CommandService(es::EventLog* log, Executor* executor,
                               const CallGate* gate,
                               absl::AnyInvocable<absl::Time() const> clock,
                               const ProjectionHost* host)
    : log_(log),
      executor_(executor),
      gate_(gate),
      clock_(std::move(clock)),
      renderer_(log, host),
      sealer_(log, &renderer_),
      sequencer_(executor) {}

es::EventId CommandService::CommandEventId(absl::string_view agency_id,
                                           absl::string_view request_id) {
  const std::string digest = Sha256Of(
      absl::StrCat("oversight.v1 command\n", agency_id, "\n", request_id));
  std::array<uint8_t, 16> bytes;
  std::memcpy(bytes.data(), digest.data(), bytes.size());
  bytes[6] = static_cast<uint8_t>((bytes[6] & 0x0F) | 0x80);  // version 8
  bytes[8] = static_cast<uint8_t>((bytes[8] & 0x3F) | 0x80);  // RFC 4122
  return es::EventId(bytes);
}

template <typename Request, typename Response>
grpc::ServerUnaryReactor* CommandService::Handle(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  // Before anything else: who calls, and whether the role may.
  absl::StatusOr<Caller> caller =
      gate_->Admit(*context, RpcName<v1::Commands, Request>());
  if (!caller.ok()) {
    reactor->Finish(ToGrpcStatus(caller.status(), context));
    return reactor;
  }
  const absl::Time now = clock_();
  // Parsing and hashing a request of up to 8 MiB is work for the executor,
  // not for gRPC's threads.
  executor_->Schedule([this, context, reactor, request, response, now,
                       actor = std::move(caller->actor)]() mutable {
    Request parsed;
    if (absl::Status s = ParseRequest(*request, &parsed); !s.ok()) {
      reactor->Finish(ToGrpcStatus(s, context));
      return;
    }
    std::string key = pj::ConsistencyKey(parsed);
    auto op = std::make_shared<CommandOp<Request, Response>>(
        log_, executor_, &sealer_, now, context, reactor, std::move(parsed),
        response, std::move(actor));
    sequencer_.Submit(std::move(key),
                      [op = std::move(op)](KeyedSequencer::Done done) mutable {
                        op->Start(std::move(done));
                      });
  });
  return reactor;
}

grpc::ServerUnaryReactor* CommandService::RegisterAgency(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return Handle<v1::RegisterAgencyRequest, v1::RegisterAgencyResponse>(
      context, request, response);
}

grpc::ServerUnaryReactor* CommandService::OpenReview(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return Handle<v1::OpenReviewRequest, v1::OpenReviewResponse>(context, request,
                                                               response);
}

grpc::ServerUnaryReactor* CommandService::IssueRecommendation(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return Handle<v1::IssueRecommendationRequest,
                v1::IssueRecommendationResponse>(context, request, response);
}

grpc::ServerUnaryReactor* CommandService::OpenReportingPeriod(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return Handle<v1::OpenReportingPeriodRequest,
                v1::OpenReportingPeriodResponse>(context, request, response);
}

grpc::ServerUnaryReactor* CommandService::CloseReportingPeriod(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return Handle<v1::CloseReportingPeriodRequest,
                v1::CloseReportingPeriodResponse>(context, request, response);
}

grpc::ServerUnaryReactor* CommandService::SubmitProgressUpdate(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return Handle<v1::SubmitProgressUpdateRequest,
                v1::SubmitProgressUpdateResponse>(context, request, response);
}

grpc::ServerUnaryReactor* CommandService::CorrectProgressUpdate(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return Handle<v1::CorrectProgressUpdateRequest,
                v1::CorrectProgressUpdateResponse>(context, request, response);
}

grpc::ServerUnaryReactor* CommandService::WithdrawProgressUpdate(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return Handle<v1::WithdrawProgressUpdateRequest,
                v1::WithdrawProgressUpdateResponse>(context, request, response);
}

grpc::ServerUnaryReactor* CommandService::AssignRating(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return Handle<v1::AssignRatingRequest, v1::AssignRatingResponse>(
      context, request, response);
}

grpc::ServerUnaryReactor* CommandService::RecordMonitoringActivity(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return Handle<v1::RecordMonitoringActivityRequest,
                v1::RecordMonitoringActivityResponse>(context, request,
                                                      response);
}

grpc::ServerUnaryReactor* CommandService::CompleteMonitoringActivity(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return Handle<v1::CompleteMonitoringActivityRequest,
                v1::CompleteMonitoringActivityResponse>(context, request,
                                                        response);
}

grpc::ServerUnaryReactor* CommandService::RecordMeetingObserved(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return Handle<v1::RecordMeetingObservedRequest,
                v1::RecordMeetingObservedResponse>(context, request, response);
}

grpc::ServerUnaryReactor* CommandService::RaiseRisk(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return Handle<v1::RaiseRiskRequest, v1::RaiseRiskResponse>(context, request,
                                                             response);
}

grpc::ServerUnaryReactor* CommandService::ResolveRisk(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return Handle<v1::ResolveRiskRequest, v1::ResolveRiskResponse>(
      context, request, response);
}

grpc::ServerUnaryReactor* CommandService::RegisterProgramme(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return Handle<v1::RegisterProgrammeRequest, v1::RegisterProgrammeResponse>(
      context, request, response);
}

grpc::ServerUnaryReactor* CommandService::SubmitPartnerReport(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return Handle<v1::SubmitPartnerReportRequest,
                v1::SubmitPartnerReportResponse>(context, request, response);
}

grpc::ServerUnaryReactor* CommandService::RecordCrossReference(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return Handle<v1::RecordCrossReferenceRequest,
                v1::RecordCrossReferenceResponse>(context, request, response);
}

grpc::ServerUnaryReactor* CommandService::CloseRecommendation(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return Handle<v1::CloseRecommendationRequest,
                v1::CloseRecommendationResponse>(context, request, response);
}

grpc::ServerUnaryReactor* CommandService::ReopenRecommendation(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return Handle<v1::ReopenRecommendationRequest,
                v1::ReopenRecommendationResponse>(context, request, response);
}

grpc::ServerUnaryReactor* CommandService::RecordConclusion(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return Handle<v1::RecordConclusionRequest, v1::RecordConclusionResponse>(
      context, request, response);
}

grpc::ServerUnaryReactor* CommandService::PublishReport(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return Handle<v1::PublishReportRequest, v1::PublishReportResponse>(
      context, request, response);
}

}  // namespace oversight::services
