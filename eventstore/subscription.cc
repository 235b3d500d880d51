#include "eventstore/subscription.h"

#include <algorithm>
#include <utility>

#include "eventstore/errors.h"

namespace oversight::eventstore {
namespace {

void RunAll(std::vector<absl::AnyInvocable<void()>>& wakes) {
  for (auto& w : wakes) std::move(w)();
}

}  // namespace

// ---------------------------------------------------------------- LiveHub

void LiveHub::Publish(const CommittedGroup& group) {
  std::vector<absl::AnyInvocable<void()>> wakes;
  {
    absl::MutexLock lock(&mu_);
    // Groups must follow one another without a gap. If one does not (a
    // commit reported as failed that reached the disk after all), live
    // queues cannot be trusted: every subscriber re-reads from disk.
    const bool contiguous =
        group.events.empty() || group.events.front()->position == head_ + 1;
    head_ = group.last_position;
    for (LiveSubscriber* sub : subscribers_) {
      if (auto w = sub->OnPublish(group, contiguous)) {
        wakes.push_back(std::move(w));
      }
    }
  }
  RunAll(wakes);
}

bool LiveHub::TryRegister(LiveSubscriber* sub, Position next) {
  absl::MutexLock lock(&mu_);
  // head_ >= next: more has been published than the caller has read.
  if (closed_ || head_ >= next) return false;
  sub->Reset(next - 1);
  subscribers_.insert(sub);
  return true;
}

void LiveHub::Unregister(LiveSubscriber* sub) {
  absl::MutexLock lock(&mu_);
  subscribers_.erase(sub);
}

void LiveHub::Close() {
  std::vector<absl::AnyInvocable<void()>> wakes;
  {
    absl::MutexLock lock(&mu_);
    closed_ = true;
    for (LiveSubscriber* sub : subscribers_) {
      if (auto w = sub->OnClose()) wakes.push_back(std::move(w));
    }
  }
  RunAll(wakes);
}

bool LiveHub::closed() const {
  absl::MutexLock lock(&mu_);
  return closed_;
}

// --------------------------------------------------------- LiveSubscriber

bool LiveSubscriber::DueLocked() const {
  return !queue_.empty() || overflowed_ || closed_;
}

absl::AnyInvocable<void()> LiveSubscriber::OnPublish(
    const CommittedGroup& group, bool contiguous) {
  absl::MutexLock lock(&mu_);
  if (closed_ || overflowed_) return nullptr;
  if (!contiguous) {
    overflowed_ = true;
    queue_.clear();
    queued_bytes_ = 0;
    return std::exchange(wake_, nullptr);
  }
  for (const SharedEvent& e : group.events) {
    if (e->position > seen_through_ && filter_->Matches(e->stream, e->type)) {
      queued_bytes_ += e->data.size() + e->metadata.size();
      queue_.push_back(e);
    }
  }
  if (group.last_position > seen_through_) seen_through_ = group.last_position;
  if (queue_.size() > max_buffered_ ||
      queued_bytes_ > Subscription::kMaxBufferedBytes) {
    // Too far behind: drop the buffer; the consumer re-reads from disk.
    overflowed_ = true;
    queue_.clear();
    queued_bytes_ = 0;
  }
  if (wake_ && DueLocked()) return std::exchange(wake_, nullptr);
  return nullptr;
}

absl::AnyInvocable<void()> LiveSubscriber::OnClose() {
  absl::MutexLock lock(&mu_);
  closed_ = true;
  return std::exchange(wake_, nullptr);
}

LiveSubscriber::Taken LiveSubscriber::Take(size_t max_count) {
  absl::MutexLock lock(&mu_);
  Taken t;
  t.closed = closed_;
  t.overflowed = overflowed_;
  if (closed_ || overflowed_) return t;
  while (!queue_.empty() && t.events.size() < max_count) {
    queued_bytes_ -=
        queue_.front()->data.size() + queue_.front()->metadata.size();
    t.events.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  t.seen_through = queue_.empty() ? seen_through_ : t.events.back()->position;
  taken_through_ = t.seen_through;
  return t;
}

absl::AnyInvocable<void()> LiveSubscriber::Arm(
    absl::AnyInvocable<void()> wake) {
  absl::MutexLock lock(&mu_);
  if (DueLocked()) {
    wake_ = nullptr;
    return wake;
  }
  wake_ = std::move(wake);
  return nullptr;
}

void LiveSubscriber::Reset(Position seen_through) {
  absl::MutexLock lock(&mu_);
  queue_.clear();
  queued_bytes_ = 0;
  overflowed_ = false;
  seen_through_ = seen_through;
  taken_through_ = seen_through;
}

bool LiveSubscriber::HasPending() {
  absl::MutexLock lock(&mu_);
  return DueLocked();
}

// ----------------------------------------------------------- Subscription

Subscription::Subscription(EventLog* log, std::shared_ptr<LiveHub> hub,
                           Position from, EventFilter filter,
                           size_t max_buffered)
    : log_(log),
      hub_(std::move(hub)),
      filter_(std::move(filter)),
      live_(std::make_unique<LiveSubscriber>(&filter_, max_buffered)),
      next_(from == kFromEnd ? log->Head().position + 1
                             : (from == 0 ? 1 : from)) {}

Subscription::~Subscription() {
  if (is_live_) hub_->Unregister(live_.get());
}

Position Subscription::next_position() const { return next_; }
uint64_t Subscription::fallbacks() const { return fallbacks_; }

absl::StatusOr<SubscriptionBatch> Subscription::Poll(size_t max_count) {
  if (max_count == 0) max_count = 1;
  if (!is_live_) return PollCatchUp(max_count);
  LiveSubscriber::Taken t = live_->Take(max_count);
  if (t.closed) return StoreClosedError();
  if (t.overflowed) {
    hub_->Unregister(live_.get());
    is_live_ = false;
    ++fallbacks_;
    return PollCatchUp(max_count);
  }
  SubscriptionBatch batch;
  for (SharedEvent& e : t.events) {
    if (e->position < next_) continue;  // Already read from disk.
    next_ = e->position + 1;
    batch.events.push_back(std::move(e));
  }
  if (t.seen_through >= next_) next_ = t.seen_through + 1;
  return batch;
}

absl::StatusOr<SubscriptionBatch> Subscription::PollCatchUp(size_t max_count) {
  if (hub_->closed()) return StoreClosedError();
  absl::StatusOr<ReadResult> read =
      log_->ReadAll(next_, Direction::kForwards, max_count, filter_);
  if (!read.ok()) return read.status();
  SubscriptionBatch batch;
  batch.events.reserve(read->events.size());
  for (RecordedEvent& e : read->events) {
    batch.events.push_back(std::make_shared<const RecordedEvent>(std::move(e)));
  }
  if (read->next > next_) next_ = read->next;
  if (read->end_reached && hub_->TryRegister(live_.get(), next_)) {
    is_live_ = true;
    batch.caught_up = true;
    // From a position past the head, everything before it is "seen", but
    // the head to report is the log's.
    batch.head = std::min(next_ - 1, log_->Head().position);
  }
  return batch;
}

void Subscription::NotifyWhenReady(absl::AnyInvocable<void()> wake) {
  if (!is_live_) {
    // Behind the head: there is more to read from disk right now.
    std::move(wake)();
    return;
  }
  if (auto due = live_->Arm(std::move(wake))) std::move(due)();
}

absl::StatusOr<SubscriptionBatch> Subscription::Next(size_t max_count,
                                                     absl::Duration timeout) {
  struct WaitState {
    absl::Mutex mu;
    bool ready = false;
  };
  auto state = std::make_shared<WaitState>();
  const absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    absl::StatusOr<SubscriptionBatch> batch = Poll(max_count);
    if (!batch.ok() || !batch->events.empty() || batch->caught_up) {
      return batch;
    }
    if (absl::Now() >= deadline) return batch;
    {
      absl::MutexLock lock(&state->mu);
      state->ready = false;
    }
    NotifyWhenReady([state] {
      absl::MutexLock lock(&state->mu);
      state->ready = true;
    });
    absl::MutexLock lock(&state->mu);
    state->mu.AwaitWithDeadline(absl::Condition(&state->ready), deadline);
  }
}

}  // namespace oversight::eventstore
