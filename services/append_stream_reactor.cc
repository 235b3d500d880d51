// AppendStream: reads appends from the client, hands each to the log, and
// writes each outcome back as it completes.
//
// All state is in a State shared with the log's callbacks (which may run
// after the call is cancelled). Every decision to call into gRPC (StartRead,
// StartWrite, Finish) is taken under State::mu by Drive(), which marks it
// taken before releasing the lock and then makes the call outside it, so no
// gRPC operation is started twice and none is started after Finish. gRPC
// deletes the reactor (OnDone) only after Finish and after every operation
// has completed, so a Drive that took an operation can still use it.

#include "services/append_stream_reactor.h"

#include <deque>
#include <memory>

#include "absl/synchronization/mutex.h"
#include "services/proto_convert.h"
#include "services/raw_append_policy.h"
#include "services/raw_calls.h"
#include "services/status_mapping.h"

namespace oversight::services {
namespace {

namespace es = ::oversight::eventstore;
using Base = grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>;

class AppendStreamReactor final : public Base {
 public:
  AppendStreamReactor(es::EventLog* log, grpc::CallbackServerContext* context)
      : state_(std::make_shared<State>()) {
    state_->log = log;
    state_->context = context;
    state_->reactor = this;
    Drive(state_);
  }

  void OnReadDone(bool ok) override {
    // The read's buffer is ours until read_pending is cleared below.
    v1::AppendStreamRequest request;
    absl::Status parsed;
    if (ok) {
      parsed = ParseRequest(state_->read_buffer, &request);
      state_->read_buffer.Clear();
    }
    {
      absl::MutexLock lock(&state_->mu);
      state_->read_pending = false;
      if (!ok) {
        state_->reads_done = true;  // Client closed its side (or failed).
      } else if (!parsed.ok()) {
        // No correlation id to answer it with: read no more, answer what
        // came before, then end the call with this.
        state_->reads_done = true;
        state_->malformed = parsed;
        ok = false;
      } else {
        ++state_->unanswered;
      }
    }
    if (ok) Submit(state_, std::move(request));
    Drive(state_);
  }

  void OnWriteDone(bool ok) override {
    {
      absl::MutexLock lock(&state_->mu);
      state_->writing = false;
      --state_->unanswered;
      if (!ok) CancelLocked(*state_);
    }
    Drive(state_);
  }

  void OnCancel() override {
    {
      absl::MutexLock lock(&state_->mu);
      CancelLocked(*state_);
    }
    Drive(state_);
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
    es::EventLog* log = nullptr;
    grpc::CallbackServerContext* context = nullptr;
    absl::Mutex mu;
    AppendStreamReactor* reactor ABSL_GUARDED_BY(mu) = nullptr;
    grpc::ByteBuffer read_buffer;   // Owned by the pending read.
    grpc::ByteBuffer write_buffer;  // Owned by the pending write.
    std::deque<v1::AppendStreamResponse> outbox ABSL_GUARDED_BY(mu);
    // Appends read and not yet answered (in the log, in the outbox, or
    // being written).
    int unanswered ABSL_GUARDED_BY(mu) = 0;
    bool read_pending ABSL_GUARDED_BY(mu) = false;
    bool reads_done ABSL_GUARDED_BY(mu) = false;
    bool writing ABSL_GUARDED_BY(mu) = false;
    bool cancelled ABSL_GUARDED_BY(mu) = false;
    bool finished ABSL_GUARDED_BY(mu) = false;
    // Why reading stopped when a request could not be parsed
    // (MALFORMED_REQUEST): the call's final status.
    absl::Status malformed ABSL_GUARDED_BY(mu);
  };

  // Answers can no longer be delivered: drop those waiting.
  static void CancelLocked(State& s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu) {
    s.cancelled = true;
    s.unanswered -= static_cast<int>(s.outbox.size());
    s.outbox.clear();
  }

  static void Answer(const std::shared_ptr<State>& state,
                     v1::AppendStreamResponse response) {
    {
      absl::MutexLock lock(&state->mu);
      if (state->cancelled) {
        --state->unanswered;
      } else {
        state->outbox.push_back(std::move(response));
      }
    }
    Drive(state);
  }

  static void Submit(const std::shared_ptr<State>& state,
                     v1::AppendStreamRequest request) {
    const uint64_t id = request.correlation_id();
    absl::StatusOr<ParsedAppend> parsed = ParseRawAppend(request.append());
    if (!parsed.ok()) {
      v1::AppendStreamResponse response;
      response.set_correlation_id(id);
      ToAppendError(parsed.status(), response.mutable_error());
      Answer(state, std::move(response));
      return;
    }
    state->log->AppendAsync(
        std::move(parsed->stream), parsed->expected, std::move(parsed->events),
        [state, id](absl::StatusOr<es::AppendResult> result) {
          v1::AppendStreamResponse response;
          response.set_correlation_id(id);
          if (result.ok()) {
            ToProto(*result, response.mutable_appended());
          } else {
            ToAppendError(result.status(), response.mutable_error());
          }
          Answer(state, std::move(response));
        });
  }

  // Starts whatever gRPC operations are due; see the comment at the top.
  static void Drive(const std::shared_ptr<State>& state) {
    for (;;) {
      enum { kNone, kRead, kWrite, kFinish } action = kNone;
      AppendStreamReactor* reactor;
      grpc::Status final_status;
      {
        absl::MutexLock lock(&state->mu);
        reactor = state->reactor;
        if (state->finished || reactor == nullptr) return;
        if (!state->writing && !state->outbox.empty()) {
          state->writing = true;
          state->write_buffer = ToByteBuffer(state->outbox.front());
          state->outbox.pop_front();
          action = kWrite;
        } else if (!state->read_pending && !state->reads_done &&
                   !state->cancelled &&
                   state->unanswered < kMaxUnansweredAppends) {
          state->read_pending = true;
          action = kRead;
        } else if ((state->reads_done || state->cancelled) &&
                   !state->read_pending && !state->writing &&
                   state->unanswered == 0) {
          state->finished = true;
          action = kFinish;
          if (state->cancelled) {
            final_status = grpc::Status(grpc::StatusCode::CANCELLED,
                                        "append stream cancelled");
          } else {
            final_status = ToGrpcStatus(state->malformed, state->context);
          }
        }
      }
      switch (action) {
        case kNone:
          return;
        case kRead:
          reactor->StartRead(&state->read_buffer);
          break;
        case kWrite:
          reactor->StartWrite(&state->write_buffer);
          break;
        case kFinish:
          reactor->Finish(final_status);
          return;
      }
    }
  }

  std::shared_ptr<State> state_;
};

}  // namespace

grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>*
NewAppendStreamReactor(es::EventLog* log,
                       grpc::CallbackServerContext* context) {
  return new AppendStreamReactor(log, context);
}

}  // namespace oversight::services
