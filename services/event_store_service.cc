#include "services/event_store_service.h"

#include <algorithm>
#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "eventstore/errors.h"
#include "eventstore/subscription.h"
#include "services/append_stream_reactor.h"
#include "services/authorization.h"
#include "services/disclosure.h"
#include "services/proto_convert.h"
#include "services/raw_append_policy.h"
#include "services/status_mapping.h"

namespace oversight::services {
namespace {

namespace es = ::oversight::eventstore;

// A read response takes no further event once this many bytes of payload
// are in it (it always holds at least one event, at most ~2 MiB), so that
// every response fits gRPC's default 4 MiB limit on what clients receive.
constexpr size_t kMaxResponseBytes = size_t{7} << 19;  // 3.5 MiB
// Events taken from a subscription per poll.
constexpr size_t kSubscriptionPollCount = 256;
// The most a subscriber may ask to receive in one response.
constexpr uint32_t kMaxEventsPerSubscribeResponse = 1000;

size_t PayloadBytes(const es::RecordedEvent& e) {
  return e.data.size() + e.metadata.size() + e.stream.size() + e.type.size();
}

// Moves events into `response`, as `reading` may see them, until it holds
// kMaxResponseBytes of payload (always at least one). Returns how many it
// took; the rest, if any, start at the returned index and are left
// untouched. Adds the positions of sensitive events sent in full to
// `consulted`.
template <typename Response>
size_t MoveIntoPage(std::vector<es::RecordedEvent>& events,
                    const Reading& reading, Response* response,
                    std::vector<uint64_t>* consulted) {
  size_t bytes = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    const size_t size = PayloadBytes(events[i]);
    if (bytes > 0 && bytes + size > kMaxResponseBytes) return i;
    bytes += size;
    const uint64_t position = events[i].position;
    if (ToProtoForReader(reading, std::move(events[i]),
                         response->add_events())) {
      consulted->push_back(position);
    }
  }
  return events.size();
}

// Records that `reading` was answered `consulted` (not empty) by
// `method`, asked `request`.
absl::StatusOr<uint64_t> RecordConsultation(
    const AccessLog& access_log, const Reading& reading,
    const std::string& method, const google::protobuf::Message& request,
    std::vector<uint64_t> consulted) {
  Access access;
  access.kind = v1::ACCESS_KIND_CONSULTATION;
  access.method = method;
  access.query = AccessLog::QueryText(request);
  access.positions = std::move(consulted);
  access.justification = reading.justification;
  return access_log.Record(reading.caller, std::move(access));
}

// Finishes `reactor` with `status`, mapping it at the edge, and with its
// response when OK.
void Finish(RawUnaryReactor* reactor, grpc::CallbackServerContext* context,
            const absl::Status& status) {
  reactor->Answer(status);
}

// ------------------------------------------------------------- Subscribe

// Streams a log subscription to one client. All calls into the gRPC
// reactor (StartWrite, Finish) are made by the pump, which runs on the
// executor and never twice at once; gRPC callbacks only record what
// happened and schedule the pump.
class SubscribeReactor final
    : public grpc::ServerWriteReactor<grpc::ByteBuffer> {
 public:
  SubscribeReactor(std::unique_ptr<es::Subscription> subscription,
                   Executor* executor, grpc::CallbackServerContext* context,
                   Reading reading, const AccessLog* access_log,
                   v1::SubscribeRequest request)
      : state_(std::make_shared<State>()) {
    state_->subscription = std::move(subscription);
    state_->executor = executor;
    state_->context = context;
    state_->reading = std::move(reading);
    state_->access_log = access_log;
    state_->request = std::move(request);
    state_->reactor = this;
    SchedulePump(state_);
  }

  void OnWriteDone(bool ok) override {
    {
      absl::MutexLock lock(&state_->mu);
      state_->writing = false;
      if (!ok) state_->cancelled = true;
    }
    SchedulePump(state_);
  }

  void OnCancel() override {
    {
      absl::MutexLock lock(&state_->mu);
      state_->cancelled = true;
    }
    SchedulePump(state_);
  }

  void OnDone() override {
    {
      absl::MutexLock lock(&state_->mu);
      state_->reactor = nullptr;
    }
    delete this;
  }

 private:
  struct State {
    absl::Mutex mu;
    SubscribeReactor* reactor ABSL_GUARDED_BY(mu) = nullptr;
    bool writing ABSL_GUARDED_BY(mu) = false;
    bool cancelled ABSL_GUARDED_BY(mu) = false;
    bool finished ABSL_GUARDED_BY(mu) = false;
    bool pump_active ABSL_GUARDED_BY(mu) = false;
    bool pump_again ABSL_GUARDED_BY(mu) = false;
    // Pump-only state (the pump never runs concurrently with itself).
    std::unique_ptr<es::Subscription> subscription;
    std::deque<v1::SubscribeResponse> outbox;
    grpc::ByteBuffer in_flight;  // the write in flight, serialised
    Executor* executor = nullptr;
    grpc::CallbackServerContext* context = nullptr;
    Reading reading;
    const AccessLog* access_log = nullptr;
    v1::SubscribeRequest request;  // what the access log records as asked
  };

  static void SchedulePump(const std::shared_ptr<State>& state) {
    {
      absl::MutexLock lock(&state->mu);
      if (state->finished) return;
      if (state->pump_active) {
        state->pump_again = true;
        return;
      }
      state->pump_active = true;
    }
    state->executor->Schedule([state] { RunPump(state); });
  }

  // One Pump per executor task: if more work arrived meanwhile, the next
  // Pump goes to the back of the queue, so a subscriber with a long history
  // to read takes turns with every other task instead of holding a thread.
  static void RunPump(const std::shared_ptr<State>& state) {
    Pump(state);
    {
      absl::MutexLock lock(&state->mu);
      if (!state->pump_again) {
        state->pump_active = false;
        return;
      }
      state->pump_again = false;
    }
    state->executor->Schedule([state] { RunPump(state); });
  }

  static void Pump(const std::shared_ptr<State>& state) {
    SubscribeReactor* reactor;
    bool cancelled;
    {
      absl::MutexLock lock(&state->mu);
      if (state->finished || state->writing || state->reactor == nullptr) {
        return;
      }
      reactor = state->reactor;
      cancelled = state->cancelled;
      if (cancelled) state->finished = true;
    }
    // `reactor` stays valid: only this pump calls Finish, and gRPC deletes
    // the reactor (OnDone) only after Finish.
    if (cancelled) {
      reactor->Finish(
          grpc::Status(grpc::StatusCode::CANCELLED, "subscription cancelled"));
      return;
    }

    if (state->outbox.empty()) {
      absl::StatusOr<es::SubscriptionBatch> batch =
          state->subscription->Poll(kSubscriptionPollCount);
      if (!batch.ok()) {
        {
          absl::MutexLock lock(&state->mu);
          state->finished = true;
        }
        reactor->Finish(ToGrpcStatus(batch.status(), state->context));
        return;
      }
      // Sensitive events sent in full are recorded in the access log, one
      // entry a batch, before any of the batch is sent.
      std::vector<uint64_t> consulted;
      std::vector<size_t> sensitive;  // their indexes in the outbox
      // With max_events_per_response above 1, events share responses: as
      // many as it allows, up to kMaxResponseBytes of payload.
      const size_t per_response =
          std::max<uint32_t>(1, state->request.max_events_per_response());
      size_t bytes = 0;
      for (const es::SharedEvent& e : batch->events) {
        v1::RecordedEvent* out;
        if (per_response == 1) {
          out = state->outbox.emplace_back().mutable_event();
        } else {
          const size_t size = PayloadBytes(*e);
          if (state->outbox.empty() ||
              static_cast<size_t>(state->outbox.back().events_size()) >=
                  per_response ||
              bytes + size > kMaxResponseBytes) {
            state->outbox.emplace_back();
            bytes = 0;
          }
          bytes += size;
          out = state->outbox.back().add_events();
        }
        if (ToProtoForReader(state->reading, es::RecordedEvent(*e), out)) {
          consulted.push_back(e->position);
          if (sensitive.empty() ||
              sensitive.back() != state->outbox.size() - 1) {
            sensitive.push_back(state->outbox.size() - 1);
          }
        }
      }
      if (!consulted.empty()) {
        absl::StatusOr<uint64_t> recorded =
            RecordConsultation(*state->access_log, state->reading,
                               RpcName<v1::EventStore, v1::SubscribeRequest>(),
                               state->request, std::move(consulted));
        if (!recorded.ok()) {
          state->outbox.clear();
          {
            absl::MutexLock lock(&state->mu);
            state->finished = true;
          }
          reactor->Finish(ToGrpcStatus(recorded.status(), state->context));
          return;
        }
        for (size_t i : sensitive) {
          state->outbox[i].set_access_recorded_position(*recorded);
        }
      }
      if (batch->caught_up) {
        state->outbox.emplace_back().mutable_caught_up()->set_head_position(
            batch->head);
      }
      if (state->outbox.empty()) {
        std::weak_ptr<State> weak = state;
        state->subscription->NotifyWhenReady([weak] {
          if (auto s = weak.lock()) SchedulePump(s);
        });
        return;
      }
    }
    state->in_flight = ToByteBuffer(state->outbox.front());
    state->outbox.pop_front();
    // No buffer hint, though more may be queued: a hinted write need not
    // complete until a later write flushes it, and the pump issues the
    // next write only once this one has completed, so a hint could hold
    // the stream still (a subscriber catching up on a page of history
    // then received nothing at all).
    {
      absl::MutexLock lock(&state->mu);
      state->writing = true;
    }
    reactor->StartWrite(&state->in_flight);
  }

  std::shared_ptr<State> state_;
};

// A Subscribe refused before it starts (by the gate, or a malformed
// filter).
class RefusedSubscription final
    : public grpc::ServerWriteReactor<grpc::ByteBuffer> {
 public:
  explicit RefusedSubscription(grpc::Status status) { Finish(status); }
  void OnDone() override { delete this; }
};

// An AppendStream refused by the gate before it reads anything.
class RefusedAppendStream final
    : public grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  explicit RefusedAppendStream(grpc::Status status) { Finish(status); }
  void OnDone() override { delete this; }
};

// The full gRPC name of the EventStore method taking `Request`.
template <typename Request>
const std::string& Method() {
  return RpcName<v1::EventStore, Request>();
}

}  // namespace

grpc::ServerUnaryReactor* EventStoreService::Append(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request,
    grpc::ByteBuffer* raw_response) {
  auto* reactor = new RawUnaryCall<v1::AppendRequest, v1::AppendResponse>(
      context, raw_response);
  if (absl::Status s =
          gate_->Admit(*context, Method<v1::AppendRequest>()).status();
      !s.ok()) {
    Finish(reactor, context, s);
    return reactor;
  }
  if (!reactor->Parse(*raw_request)) return reactor;
  const v1::AppendRequest* request = reactor->request();
  v1::AppendResponse* response = reactor->response();
  absl::StatusOr<ParsedAppend> parsed = ParseRawAppend(*request);
  if (!parsed.ok()) {
    Finish(reactor, context, parsed.status());
    return reactor;
  }
  log_->AppendAsync(
      std::move(parsed->stream), parsed->expected, std::move(parsed->events),
      [reactor, context, response](absl::StatusOr<es::AppendResult> result) {
        if (!result.ok()) {
          Finish(reactor, context, result.status());
          return;
        }
        ToProto(*result, response);
        reactor->Answer(absl::OkStatus());
      });
  return reactor;
}

grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>*
EventStoreService::AppendStream(grpc::CallbackServerContext* context) {
  if (absl::Status s =
          gate_->Admit(*context, Method<v1::AppendStreamRequest>()).status();
      !s.ok()) {
    return new RefusedAppendStream(ToGrpcStatus(s, context));
  }
  return NewAppendStreamReactor(log_, context);
}

grpc::ServerUnaryReactor* EventStoreService::ReadStream(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request,
    grpc::ByteBuffer* raw_response) {
  auto* reactor =
      new RawUnaryCall<v1::ReadStreamRequest, v1::ReadStreamResponse>(
          context, raw_response);
  absl::StatusOr<Reading> reading =
      AdmitReading(*gate_, *context, Method<v1::ReadStreamRequest>());
  if (!reading.ok()) {
    Finish(reactor, context, reading.status());
    return reactor;
  }
  if (!reactor->Parse(*raw_request)) return reactor;
  const v1::ReadStreamRequest* request = reactor->request();
  v1::ReadStreamResponse* response = reactor->response();
  executor_->Schedule([this, reactor, context, request, response,
                       reading = *std::move(reading)] {
    absl::StatusOr<es::Direction> direction = FromProto(request->direction());
    if (!direction.ok()) return Finish(reactor, context, direction.status());
    absl::StatusOr<size_t> max_count = MaxCount(request->max_count());
    if (!max_count.ok()) return Finish(reactor, context, max_count.status());
    const uint64_t from =
        request->from_end() ? es::kFromEnd : request->from_revision();
    absl::StatusOr<es::ReadResult> read =
        log_->ReadStream(request->stream(), from, *direction, *max_count);
    if (!read.ok()) return Finish(reactor, context, read.status());
    std::vector<uint64_t> consulted;
    const size_t taken =
        MoveIntoPage(read->events, reading, response, &consulted);
    if (taken < read->events.size()) {
      response->set_next_revision(read->events[taken].revision);
    } else {
      response->set_next_revision(read->next);
      response->set_end_of_stream(read->end_reached);
    }
    if (!consulted.empty()) {
      absl::StatusOr<uint64_t> recorded = RecordConsultation(
          access_log_, reading, Method<v1::ReadStreamRequest>(), *request,
          std::move(consulted));
      if (!recorded.ok()) {
        response->Clear();
        return Finish(reactor, context, recorded.status());
      }
      response->set_access_recorded_position(*recorded);
    }
    reactor->Answer(absl::OkStatus());
  });
  return reactor;
}

grpc::ServerUnaryReactor* EventStoreService::ReadAll(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request,
    grpc::ByteBuffer* raw_response) {
  auto* reactor = new RawUnaryCall<v1::ReadAllRequest, v1::ReadAllResponse>(
      context, raw_response);
  absl::StatusOr<Reading> reading =
      AdmitReading(*gate_, *context, Method<v1::ReadAllRequest>());
  if (!reading.ok()) {
    Finish(reactor, context, reading.status());
    return reactor;
  }
  if (!reactor->Parse(*raw_request)) return reactor;
  const v1::ReadAllRequest* request = reactor->request();
  v1::ReadAllResponse* response = reactor->response();
  executor_->Schedule([this, reactor, context, request, response,
                       reading = *std::move(reading)] {
    absl::StatusOr<es::Direction> direction = FromProto(request->direction());
    if (!direction.ok()) return Finish(reactor, context, direction.status());
    absl::StatusOr<size_t> max_count = MaxCount(request->max_count());
    if (!max_count.ok()) return Finish(reactor, context, max_count.status());
    const uint64_t from =
        request->from_end() ? es::kFromEnd : request->from_position();
    absl::StatusOr<es::ReadResult> read = log_->ReadAll(
        from, *direction, *max_count, FromProto(request->filter()));
    if (!read.ok()) return Finish(reactor, context, read.status());
    std::vector<uint64_t> consulted;
    const size_t taken =
        MoveIntoPage(read->events, reading, response, &consulted);
    if (taken < read->events.size()) {
      response->set_next_position(read->events[taken].position);
    } else {
      response->set_next_position(read->next);
      response->set_end_of_log(read->end_reached);
    }
    if (!consulted.empty()) {
      absl::StatusOr<uint64_t> recorded =
          RecordConsultation(access_log_, reading, Method<v1::ReadAllRequest>(),
                             *request, std::move(consulted));
      if (!recorded.ok()) {
        response->Clear();
        return Finish(reactor, context, recorded.status());
      }
      response->set_access_recorded_position(*recorded);
    }
    reactor->Answer(absl::OkStatus());
  });
  return reactor;
}

grpc::ServerWriteReactor<grpc::ByteBuffer>* EventStoreService::Subscribe(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request) {
  absl::StatusOr<Reading> reading =
      AdmitReading(*gate_, *context, Method<v1::SubscribeRequest>());
  if (!reading.ok()) {
    return new RefusedSubscription(ToGrpcStatus(reading.status(), context));
  }
  v1::SubscribeRequest parsed;
  if (absl::Status s = ParseRequest(*raw_request, &parsed); !s.ok()) {
    return new RefusedSubscription(ToGrpcStatus(s, context));
  }
  const v1::SubscribeRequest* request = &parsed;
  const es::Position from =
      request->from_end() ? es::kFromEnd : request->from_position();
  es::EventFilter filter = FromProto(request->filter());
  if (absl::Status s = es::ValidateFilter(filter); !s.ok()) {
    return new RefusedSubscription(ToGrpcStatus(s, context));
  }
  if (request->max_events_per_response() > kMaxEventsPerSubscribeResponse) {
    return new RefusedSubscription(ToGrpcStatus(
        es::WithReason(absl::InvalidArgumentError(absl::StrCat(
                           "max_events_per_response is ",
                           request->max_events_per_response(), "; at most ",
                           kMaxEventsPerSubscribeResponse)),
                       es::kReasonInvalidArgument),
        context));
  }
  return new SubscribeReactor(log_->Subscribe(from, std::move(filter)),
                              executor_, context, *std::move(reading),
                              &access_log_, *request);
}

grpc::ServerUnaryReactor* EventStoreService::GetHead(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request,
    grpc::ByteBuffer* raw_response) {
  auto* reactor = new RawUnaryCall<v1::GetHeadRequest, v1::GetHeadResponse>(
      context, raw_response);
  if (absl::Status s =
          gate_->Admit(*context, Method<v1::GetHeadRequest>()).status();
      !s.ok()) {
    Finish(reactor, context, s);
    return reactor;
  }
  if (!reactor->Parse(*raw_request)) return reactor;
  v1::GetHeadResponse* response = reactor->response();
  const es::ChainHead head = log_->Head();
  response->set_position(head.position);
  response->set_hash(head.hash.data(), head.hash.size());
  const int64_t micros = absl::ToUnixMicros(head.recorded_at);
  response->mutable_recorded_at()->set_seconds(micros / 1000000);
  response->mutable_recorded_at()->set_nanos(
      static_cast<int32_t>(micros % 1000000 * 1000));
  reactor->Answer(absl::OkStatus());
  return reactor;
}

grpc::ServerUnaryReactor* EventStoreService::VerifyChain(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request,
    grpc::ByteBuffer* raw_response) {
  auto* reactor =
      new RawUnaryCall<v1::VerifyChainRequest, v1::VerifyChainResponse>(
          context, raw_response);
  if (absl::Status s =
          gate_->Admit(*context, Method<v1::VerifyChainRequest>()).status();
      !s.ok()) {
    Finish(reactor, context, s);
    return reactor;
  }
  if (!reactor->Parse(*raw_request)) return reactor;
  const v1::VerifyChainRequest* request = reactor->request();
  v1::VerifyChainResponse* response = reactor->response();
  const es::Position head = log_->Head().position;
  const es::Position from =
      request->from_position() == 0 ? 1 : request->from_position();
  const es::Position to =
      request->to_position() == 0 ? head : request->to_position();
  if (from > to || to > head) {
    // An empty log, or a range the log refuses: let it answer as a whole.
    executor_->Schedule([this, reactor, context, request, response] {
      absl::StatusOr<es::VerifyResult> result =
          log_->Verify(request->from_position(), request->to_position());
      if (!result.ok()) return Finish(reactor, context, result.status());
      response->set_from_position(result->from);
      response->set_to_position(result->to);
      response->set_head_hash(result->head_hash.data(),
                              result->head_hash.size());
      reactor->Answer(absl::OkStatus());
    });
    return reactor;
  }
  response->set_from_position(from);
  response->set_to_position(to);
  executor_->Schedule([this, reactor, context, response, from, to] {
    VerifyChunk(reactor, context, response, from, to);
  });
  return reactor;
}

// Verifies [chunk_from, min(chunk_from + verify_chunk_ - 1, to)], then
// queues the rest. Each chunk starts from the stored hash before it, which
// the previous chunk checked, so the chunks together check exactly what one
// pass would; between chunks the call can be cancelled (or its deadline
// pass) and other work on the executor gets its turn.
void EventStoreService::VerifyChunk(RawUnaryReactor* reactor,
                                    grpc::CallbackServerContext* context,
                                    v1::VerifyChainResponse* response,
                                    es::Position chunk_from, es::Position to) {
  if (context->IsCancelled()) {
    reactor->AnswerCancelled("verification cancelled");
    return;
  }
  const es::Position chunk_to =
      std::min<es::Position>(to, chunk_from + verify_chunk_ - 1);
  absl::StatusOr<es::VerifyResult> result = log_->Verify(chunk_from, chunk_to);
  if (!result.ok()) return Finish(reactor, context, result.status());
  if (!result->ok) {
    context->AddTrailingMetadata(kFirstBadPositionKey,
                                 absl::StrCat(result->first_bad));
    return Finish(reactor, context,
                  es::WithReason(absl::DataLossError(absl::StrCat(
                                     "hash chain broken at position ",
                                     result->first_bad, ": ", result->problem)),
                                 es::kReasonChainBroken));
  }
  if (chunk_to == to) {
    response->set_head_hash(result->head_hash.data(), result->head_hash.size());
    reactor->Answer(absl::OkStatus());
    return;
  }
  executor_->Schedule([this, reactor, context, response, chunk_to, to] {
    VerifyChunk(reactor, context, response, chunk_to + 1, to);
  });
}

}  // namespace oversight::services
