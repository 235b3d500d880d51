// Catch-up subscriptions: every event from a position on, history first,
// then live, with no gap and no duplicate across the switch.
//
// A Subscription is pull-based and never blocks on new appends: Poll()
// returns what is available now. While behind, it reads pages from the log
// (disk); once it reaches the head it registers with the log's LiveHub and
// takes newly committed events from a bounded in-memory queue. If the
// consumer falls so far behind that the queue would exceed its bound, the
// queue is dropped and the subscription reads from disk again, so a slow
// consumer never slows down appends or grows memory without bound.
//
// Every time the subscription reaches the head (first catch-up, and again
// after falling behind) a batch carries `caught_up` with the head position.
//
// Example (blocking consumer):
//   std::unique_ptr<Subscription> sub = log.Subscribe(1, {});
//   for (;;) {
//     absl::StatusOr<SubscriptionBatch> b = sub->Next(256, absl::Seconds(1));
//     if (!b.ok()) break;  // log closed
//     for (const auto& e : b->events) Apply(*e);
//   }

#ifndef OVERSIGHT_EVENTSTORE_SUBSCRIPTION_H_
#define OVERSIGHT_EVENTSTORE_SUBSCRIPTION_H_

#include <deque>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "eventstore/event_log.h"
#include "eventstore/types.h"

namespace oversight::eventstore {

using SharedEvent = std::shared_ptr<const RecordedEvent>;

// One commit group as published to live subscribers: consecutive
// positions, in order.
struct CommittedGroup {
  std::vector<SharedEvent> events;
  Position last_position = 0;
};

struct SubscriptionBatch {
  std::vector<SharedEvent> events;
  // Set when, after `events`, the subscriber has everything recorded up to
  // `head` and is now live.
  bool caught_up = false;
  Position head = 0;
};

class LiveSubscriber;

// Fans committed groups out to live subscribers. Owned by the log; shared
// with its subscriptions so that a subscription outliving Close() is safe.
class LiveHub {
 public:
  explicit LiveHub(Position head) : head_(head) {}

  // Called by the log after each durable commit, in position order.
  void Publish(const CommittedGroup& group);

  // Registers `sub` as live if every position before `next` has been
  // published; otherwise returns false (the caller must read more).
  bool TryRegister(LiveSubscriber* sub, Position next);
  void Unregister(LiveSubscriber* sub);

  // Wakes every subscriber; later Polls fail with Unavailable.
  void Close();
  bool closed() const;

 private:
  mutable absl::Mutex mu_;
  Position head_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  absl::flat_hash_set<LiveSubscriber*> subscribers_ ABSL_GUARDED_BY(mu_);
};

class Subscription {
 public:
  // Bounds on what is buffered for a live subscriber: events, and bytes of
  // their data and metadata.
  static constexpr size_t kDefaultMaxBuffered = 8192;
  static constexpr size_t kMaxBufferedBytes = size_t{16} << 20;

  Subscription(EventLog* log, std::shared_ptr<LiveHub> hub, Position from,
               EventFilter filter, size_t max_buffered = kDefaultMaxBuffered);
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;
  ~Subscription();

  // Returns up to `max_count` events available now (possibly none), in
  // position order. May read from the log. Unavailable (STORE_CLOSED) once
  // the log is closed.
  [[nodiscard]] absl::StatusOr<SubscriptionBatch> Poll(size_t max_count);

  // Calls `wake` once, soon, when Poll may have something new: at once if
  // it already may, else from the appending thread after the next commit.
  // `wake` must be quick and must not call into this subscription.
  // A later call replaces an earlier, not yet called, `wake`.
  void NotifyWhenReady(absl::AnyInvocable<void()> wake);

  // Blocks up to `timeout` for a batch with events or a caught-up marker.
  // Returns an empty batch on timeout.
  [[nodiscard]] absl::StatusOr<SubscriptionBatch> Next(size_t max_count,
                                                       absl::Duration timeout);

  // The next position this subscription will deliver (or skip, if it does
  // not match the filter).
  Position next_position() const;

  // How many times the subscriber fell behind and went back to disk.
  uint64_t fallbacks() const;

 private:
  absl::StatusOr<SubscriptionBatch> PollCatchUp(size_t max_count);

  EventLog* const log_;
  const std::shared_ptr<LiveHub> hub_;
  const EventFilter filter_;
  std::unique_ptr<LiveSubscriber> live_;
  // Only touched by the polling thread (Poll is not called concurrently).
  bool is_live_ = false;
  Position next_;
  uint64_t fallbacks_ = 0;
};

// The live half of a subscription: a bounded queue the hub pushes into.
class LiveSubscriber {
 public:
  LiveSubscriber(const EventFilter* filter, size_t max_buffered)
      : filter_(filter), max_buffered_(max_buffered) {}

  // Hub side, under the hub's lock. Returns a wake-up to run once the hub's
  // lock is released, if one was armed and is now due. `contiguous` is
  // false when the group does not follow the previous one; the subscriber
  // then falls back to reading from disk.
  absl::AnyInvocable<void()> OnPublish(const CommittedGroup& group,
                                       bool contiguous);
  absl::AnyInvocable<void()> OnClose();

  // Consumer side.
  struct Taken {
    std::vector<SharedEvent> events;
    Position seen_through = 0;  // Last position published to us.
    bool overflowed = false;
    bool closed = false;
  };
  Taken Take(size_t max_count);
  // Arms `wake`; returns it back if it is due right away.
  absl::AnyInvocable<void()> Arm(absl::AnyInvocable<void()> wake);
  void Reset(Position seen_through);
  bool HasPending();

 private:
  bool DueLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const EventFilter* const filter_;
  const size_t max_buffered_;
  absl::Mutex mu_;
  std::deque<SharedEvent> queue_ ABSL_GUARDED_BY(mu_);
  size_t queued_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  Position seen_through_ ABSL_GUARDED_BY(mu_) = 0;
  Position taken_through_ ABSL_GUARDED_BY(mu_) = 0;
  bool overflowed_ ABSL_GUARDED_BY(mu_) = false;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  absl::AnyInvocable<void()> wake_ ABSL_GUARDED_BY(mu_);
};

}  // namespace oversight::eventstore

#endif  // OVERSIGHT_EVENTSTORE_SUBSCRIPTION_H_
