#include "services/log_fold.h"

#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "projections/aggregates.h"
#include "projections/fold_event.h"

namespace oversight::services {
namespace {

namespace es = ::oversight::eventstore;
namespace pj = ::oversight::projections;

// Events scanned per batch, and batches read ahead of the fold. Small
// enough that a batch stays in the cache between the threads. Each batch
// keeps its events' bytes in strings reused from batch to batch, and the
// decoded events point into them: once the strings have grown to the
// events' sizes, reading allocates nothing.
constexpr size_t kBatchEvents = 128;
constexpr size_t kBatchesAhead = 4;

struct Batch {
  Batch() : data(kBatchEvents), decoded(kBatchEvents) {
    events.reserve(kBatchEvents);
  }
  std::vector<std::string> data;
  std::vector<pj::FoldEvent> decoded;
  size_t used = 0;
  std::vector<ScannedEvent> events;
  uint64_t through = 0;
};

// Full batches from the reader to the fold, and empty ones back.
class Pipe {
 public:
  Pipe() {
    for (size_t i = 0; i < kBatchesAhead + 2; ++i) {
      free_.push_back(std::make_unique<Batch>());
    }
  }

  // Reader side. Null once the fold side has quit.
  std::unique_ptr<Batch> TakeFree() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](Pipe* p) ABSL_EXCLUSIVE_LOCKS_REQUIRED(p->mu_) {
          return !p->free_.empty() || p->quit_;
        },
        this));
    if (quit_) return nullptr;
    std::unique_ptr<Batch> b = std::move(free_.front());
    free_.pop_front();
    b->events.clear();
    b->used = 0;
    b->through = 0;
    return b;
  }
  void PutFull(std::unique_ptr<Batch> b) {
    absl::MutexLock lock(&mu_);
    full_.push_back(std::move(b));
  }
  void Finish(absl::StatusOr<uint64_t> result) {
    absl::MutexLock lock(&mu_);
    result_ = std::move(result);
    finished_ = true;
  }

  // Fold side. Null when the reader has finished and everything is taken.
  std::unique_ptr<Batch> TakeFull() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](Pipe* p) ABSL_EXCLUSIVE_LOCKS_REQUIRED(p->mu_) {
          return !p->full_.empty() || p->finished_;
        },
        this));
    if (full_.empty()) return nullptr;
    std::unique_ptr<Batch> b = std::move(full_.front());
    full_.pop_front();
    return b;
  }
  void PutFree(std::unique_ptr<Batch> b) {
    absl::MutexLock lock(&mu_);
    free_.push_back(std::move(b));
  }
  void Quit() {
    absl::MutexLock lock(&mu_);
    quit_ = true;
  }
  absl::StatusOr<uint64_t> result() {
    absl::MutexLock lock(&mu_);
    return result_;
  }

 private:
  absl::Mutex mu_;
  std::deque<std::unique_ptr<Batch>> free_ ABSL_GUARDED_BY(mu_);
  std::deque<std::unique_ptr<Batch>> full_ ABSL_GUARDED_BY(mu_);
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  bool quit_ ABSL_GUARDED_BY(mu_) = false;
  absl::StatusOr<uint64_t> result_ ABSL_GUARDED_BY(mu_) = uint64_t{0};
};

}  // namespace

absl::StatusOr<uint64_t> FoldLog(
    es::EventLog* log, uint64_t from,
    absl::FunctionRef<void(absl::Span<const ScannedEvent>)> beside,
    absl::FunctionRef<void(absl::Span<const ScannedEvent>, uint64_t through)>
        fold) {
  Pipe pipe;
  std::thread reader([log, from, beside, &pipe] {
    std::unique_ptr<Batch> batch = pipe.TakeFree();
    absl::StatusOr<uint64_t> result =
        batch == nullptr
            ? absl::StatusOr<uint64_t>(absl::CancelledError())
            : log->Scan(from, [&](const es::RecordedEvent& e) -> absl::Status {
                if (pj::IsDomainStream(e.stream)) {
                  std::string& data = batch->data[batch->used];
                  pj::FoldEvent& event = batch->decoded[batch->used];
                  data.assign(e.data);
                  if (pj::DecodeFoldEvent(data, &event) &&
                      event.payload_case != v1::DomainEvent::PAYLOAD_NOT_SET) {
                    batch->events.push_back({e.position, &event});
                  }
                }
                batch->through = e.position;
                if (++batch->used < kBatchEvents) return absl::OkStatus();
                beside(batch->events);
                pipe.PutFull(std::move(batch));
                batch = pipe.TakeFree();
                if (batch == nullptr) return absl::CancelledError();
                return absl::OkStatus();
              });
    if (batch != nullptr && batch->through != 0) {
      beside(batch->events);
      pipe.PutFull(std::move(batch));
    }
    pipe.Finish(std::move(result));
  });
  while (std::unique_ptr<Batch> batch = pipe.TakeFull()) {
    fold(batch->events, batch->through);
    pipe.PutFree(std::move(batch));
  }
  pipe.Quit();
  reader.join();
  return pipe.result();
}

absl::StatusOr<uint64_t> FoldLog(
    es::EventLog* log, uint64_t from,
    absl::FunctionRef<void(absl::Span<const ScannedEvent>, uint64_t through)>
        fold) {
  return FoldLog(
      log, from, [](absl::Span<const ScannedEvent>) {}, fold);
}

}  // namespace oversight::services
