// QueryService::FollowHistory: ListHistory's entries as a stream, the
// history already recorded after the client's position first, then each
// entry as the read models take it in.
//
// The stream is pumped like EventStore.Subscribe's (event_store_service.cc):
// every call into the gRPC reactor (StartWrite, Finish) is made by the
// pump, which runs on the executor and never twice at once, with one write
// in flight; gRPC callbacks only record what happened and schedule it.
// Caught up, the pump registers with ProjectionHost::WhenReached for the
// next position and returns: a follower waiting for news holds no thread.

#include <algorithm>
#include <deque>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "eventstore/errors.h"
#include "projections/domain_errors.h"
#include "services/query_service.h"
#include "services/raw_calls.h"
#include "services/status_mapping.h"

namespace oversight::services {

namespace es = ::oversight::eventstore;

namespace {

// Entries per message, at most.
constexpr size_t kFollowBatch = 100;
// A wait for news is renewed this often, so that the host does not keep a
// cancelled follower's waiter for long.
constexpr absl::Duration kWaitSlice = absl::Seconds(10);

// A FollowHistory refused before its stream starts.
class RefusedFollow final : public grpc::ServerWriteReactor<grpc::ByteBuffer> {
 public:
  explicit RefusedFollow(grpc::Status status) { Finish(status); }
  void OnDone() override { delete this; }
};

}  // namespace

class FollowHistoryReactor final
    : public grpc::ServerWriteReactor<grpc::ByteBuffer> {
 public:
  FollowHistoryReactor(QueryService* service,
                       grpc::CallbackServerContext* context, Reading reading,
                       v1::FollowHistoryRequest request,
                       v1::ListHistoryRequest filters,
                       std::vector<std::string> keys)
      // Not make_shared: a WhenReached callback left registered after the
      // call ends holds a weak_ptr, which would keep the whole State's
      // storage (its protos, its outbox) until the wait expires.
      : state_(new State()) {
    state_->service = service;
    state_->context = context;
    state_->reading = std::move(reading);
    state_->caught_up_to = request.after_position();
    state_->start_head = service->log_->Head().position;
    state_->request = std::move(request);
    state_->filters = std::move(filters);
    state_->keys = std::move(keys);
    const auto deadline = context->deadline();
    state_->deadline = deadline == std::chrono::system_clock::time_point::max()
                           ? absl::InfiniteFuture()
                           : absl::FromChrono(deadline);
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
    FollowHistoryReactor* reactor ABSL_GUARDED_BY(mu) = nullptr;
    bool writing ABSL_GUARDED_BY(mu) = false;
    bool cancelled ABSL_GUARDED_BY(mu) = false;
    bool finished ABSL_GUARDED_BY(mu) = false;
    bool pump_active ABSL_GUARDED_BY(mu) = false;
    bool pump_again ABSL_GUARDED_BY(mu) = false;
    // A WhenReached is outstanding; and what ended the wait, when the
    // host stopped.
    bool waiting ABSL_GUARDED_BY(mu) = false;
    absl::Status stopped ABSL_GUARDED_BY(mu);
    // Pump-only state (the pump never runs concurrently with itself).
    QueryService* service = nullptr;
    grpc::CallbackServerContext* context = nullptr;
    Reading reading;
    v1::FollowHistoryRequest request;  // what the access log records
    v1::ListHistoryRequest filters;    // the same filters, as ListHistory's
    std::vector<std::string> keys;     // QueryService::HistoryKeys
    absl::Time deadline;
    uint64_t caught_up_to = 0;  // everything up to here is in the outbox
    // The log's head when the call began: the history is what is recorded
    // up to there, and the follow has caught up once it has read that far.
    uint64_t start_head = 0;
    bool announced = false;  // the catching up message is queued
    std::deque<v1::FollowHistoryResponse> outbox;
    grpc::ByteBuffer in_flight;  // the write in flight, serialised
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
    state->service->executor_->Schedule([state] { RunPump(state); });
  }

  // One Pump per executor task, as Subscribe's: a follower with a long
  // history takes turns with every other task.
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
    state->service->executor_->Schedule([state] { RunPump(state); });
  }

  // Ends the stream with `status` (the pump's only Finish but cancel's).
  static void End(const std::shared_ptr<State>& state,
                  FollowHistoryReactor* reactor, const absl::Status& status) {
    state->outbox.clear();
    {
      absl::MutexLock lock(&state->mu);
      state->finished = true;
    }
    reactor->Finish(ToGrpcStatus(status, state->context));
  }

  // Asks the host to call back once it has news past caught_up_to (while
  // catching up, once it has reached the head as it was when the call
  // began, if that comes first), or the slice or the call's deadline
  // passes, or it stops.
  static void Wait(const std::shared_ptr<State>& state) {
    const uint64_t next =
        state->announced ? state->caught_up_to + 1
                         : std::min(state->caught_up_to + 1, state->start_head);
    {
      absl::MutexLock lock(&state->mu);
      state->waiting = true;
    }
    std::weak_ptr<State> weak = state;
    state->service->host_->WhenReached(
        next, std::min(state->deadline, absl::Now() + kWaitSlice),
        [weak](absl::Status reached) {
          std::shared_ptr<State> s = weak.lock();
          if (s == nullptr) return;
          {
            absl::MutexLock lock(&s->mu);
            s->waiting = false;
            if (absl::IsUnavailable(reached)) s->stopped = reached;
          }
          SchedulePump(s);
        });
  }

  static void Pump(const std::shared_ptr<State>& state) {
    FollowHistoryReactor* reactor;
    bool cancelled;
    absl::Status stopped;
    {
      absl::MutexLock lock(&state->mu);
      if (state->finished || state->writing || state->reactor == nullptr) {
        return;
      }
      reactor = state->reactor;
      cancelled = state->cancelled;
      stopped = state->stopped;
      if (cancelled) {
        state->finished = true;
      } else if (stopped.ok() && state->outbox.empty() && state->waiting) {
        return;  // the host calls back with news
      }
    }
    // `reactor` stays valid: only this pump calls Finish, and gRPC deletes
    // the reactor (OnDone) only after Finish.
    if (cancelled) {
      reactor->Finish(
          grpc::Status(grpc::StatusCode::CANCELLED, "follow cancelled"));
      return;
    }
    if (!stopped.ok()) {
      End(state, reactor, stopped);
      return;
    }
    if (state->outbox.empty()) {
      if (absl::Now() >= state->deadline) {
        End(state, reactor,
            absl::DeadlineExceededError(
                absl::StrCat("the follow's deadline passed at position ",
                             state->caught_up_to)));
        return;
      }
      QueryService* const service = state->service;
      const uint64_t pinned = service->host_->position();
      if (pinned <= state->caught_up_to) {
        if (state->announced || pinned < state->start_head) {
          Wait(state);
          return;
        }
        // Nothing to read up to the head the call began at: caught up.
        state->announced = true;
        state->outbox.emplace_back().set_caught_up_to(state->caught_up_to);
      } else {
        if (!ReadNext(state, reactor, pinned)) return;
        if (state->outbox.empty()) {
          SchedulePump(state);  // more history: on the next turn
          return;
        }
      }
    }
    state->in_flight = ToByteBuffer(state->outbox.front());
    state->outbox.pop_front();
    // No buffer hint (see Subscribe's pump): the next write waits for this
    // one to complete, so a hinted write could hold the stream still.
    {
      absl::MutexLock lock(&state->mu);
      state->writing = true;
    }
    reactor->StartWrite(&state->in_flight);
  }

  // Reads the next stretch of history, up to `pinned`, into the outbox;
  // false when that ended the stream.
  static bool ReadNext(const std::shared_ptr<State>& state,
                       FollowHistoryReactor* reactor, uint64_t pinned) {
    QueryService* const service = state->service;
    v1::FollowHistoryResponse out;
    QueryService::HistoryStretch stretch;
    if (absl::Status s = service->ScanHistory(
            state->reading, state->filters, state->keys,
            std::numeric_limits<int64_t>::max(), state->caught_up_to, pinned,
            kFollowBatch, out.mutable_entries(), &stretch);
        !s.ok()) {
      End(state, reactor, s);
      return false;
    }
    // Sensitive content is recorded before any of it is sent.
    v1::Reflects reflects;
    if (absl::Status s = service->Record(
            state->reading, RpcName<v1::Queries, v1::FollowHistoryRequest>(),
            state->request, stretch.disclosed, &reflects);
        !s.ok()) {
      End(state, reactor, s);
      return false;
    }
    const bool more =
        stretch.more && stretch.last_examined > state->caught_up_to;
    state->caught_up_to = more ? stretch.last_examined : pinned;
    out.set_caught_up_to(state->caught_up_to);
    out.set_withheld(reflects.withheld());
    out.set_access_recorded_position(reflects.access_recorded_position());
    // While catching up, only entries are worth a message; live, every
    // step forward is, so that the client can save its place.
    if (out.entries_size() > 0 || state->announced) {
      state->outbox.push_back(std::move(out));
    }
    if (!state->announced && !more &&
        state->caught_up_to >= state->start_head) {
      state->announced = true;
      state->outbox.emplace_back().set_caught_up_to(state->caught_up_to);
    }
    return true;
  }

  std::shared_ptr<State> state_;
};

grpc::ServerWriteReactor<grpc::ByteBuffer>* QueryService::FollowHistory(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request) {
  absl::StatusOr<Reading> reading = Admit<v1::FollowHistoryRequest>(*context);
  if (!reading.ok()) {
    return new RefusedFollow(ToGrpcStatus(reading.status(), context));
  }
  v1::FollowHistoryRequest parsed;
  if (absl::Status s = ParseRequest(*raw_request, &parsed); !s.ok()) {
    return new RefusedFollow(ToGrpcStatus(s, context));
  }
  const v1::FollowHistoryRequest* request = &parsed;
  // ListHistory's filters, checked as ListHistory checks them.
  v1::ListHistoryRequest filters;
  filters.set_review_id(request->review_id());
  filters.set_number(request->number());
  filters.set_agency_id(request->agency_id());
  filters.set_person(request->person());
  *filters.mutable_event_types() = request->event_types();
  absl::StatusOr<std::vector<std::string>> keys = HistoryKeys(filters);
  if (!keys.ok())
    return new RefusedFollow(ToGrpcStatus(keys.status(), context));
  const uint64_t head = log_->Head().position;
  if (request->after_position() > head) {
    return new RefusedFollow(ToGrpcStatus(
        es::WithReason(absl::InvalidArgumentError(absl::StrCat(
                           "after_position ", request->after_position(),
                           " is beyond the log's head, ", head,
                           " (a position saved from another log?)")),
                       kReasonAfterPositionInFuture),
        context));
  }
  return new FollowHistoryReactor(this, context, *std::move(reading), *request,
                                  std::move(filters), *std::move(keys));
}

}  // namespace oversight::services
