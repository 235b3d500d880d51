// Checks the ThreadSanitizer run of scripts/sanitize.sh both ways before
// its results are trusted:
//   tsan_selftest locked     threads share state under absl::Mutex (Lock,
//                            Await, CondVar) and hand it over with an
//                            absl::Notification waited on after it was
//                            notified (its fast path, which takes no
//                            lock): must run clean, which needs the
//                            annotations of tsan_annotations.cc;
//   tsan_selftest unlocked   the same state without the lock: must be
//                            reported, or the run would pass races over.
// Built and run by scripts/sanitize.sh only (clang, -fsanitize=thread).

#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace {

constexpr int kThreads = 4;
constexpr int kRounds = 2000;

struct Shared {
  absl::Mutex mu;
  absl::CondVar changed;
  // Plain fields, guarded by mu in the locked run.
  long total = 0;
  std::string last;
  int finished = 0;
};

void Work(Shared* s, bool locked, int id) {
  for (int i = 0; i < kRounds; ++i) {
    if (locked) s->mu.Lock();
    s->total += 1;
    s->last = "thread " + std::to_string(id);
    if (locked) s->mu.Unlock();
  }
  if (locked) s->mu.Lock();
  ++s->finished;
  if (locked) {
    s->changed.SignalAll();
    s->mu.Unlock();
  }
}

// A value handed over by a Notification whose waits all start after
// Notify, so each takes the fast path: an atomic load inside Abseil that
// ThreadSanitizer does not see. (Spinning on HasBeenNotified, an
// instrumented load of a store it did not see, orders nothing.)
long HandOverAfterNotify() {
  long value = 0;
  absl::Notification ready;
  std::thread producer([&] {
    value = 42;
    ready.Notify();
  });
  while (!ready.HasBeenNotified()) std::this_thread::yield();
  ready.WaitForNotification();
  long seen = value;
  if (ready.WaitForNotificationWithTimeout(absl::Seconds(1))) seen += value;
  if (ready.WaitForNotificationWithDeadline(absl::Now() + absl::Seconds(1))) {
    seen += value;
  }
  producer.join();
  return seen;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 || (std::strcmp(argv[1], "locked") != 0 &&
                    std::strcmp(argv[1], "unlocked") != 0)) {
    std::fprintf(stderr, "usage: tsan_selftest locked|unlocked\n");
    return 2;
  }
  const bool locked = std::strcmp(argv[1], "locked") == 0;
  Shared s;
  std::vector<std::thread> threads;
  for (int id = 0; id < kThreads; ++id) {
    threads.emplace_back(Work, &s, locked, id);
  }
  long total = 0;
  if (locked) {
    // Half the threads are waited for with Await, the rest with a CondVar,
    // and the fields are read after each.
    s.mu.Lock();
    s.mu.Await(absl::Condition(
        +[](Shared* sh) { return sh->finished >= kThreads / 2; }, &s));
    total = s.total;
    while (s.finished < kThreads) s.changed.Wait(&s.mu);
    total = s.total;
    s.mu.Unlock();
    total += HandOverAfterNotify();
  }
  for (std::thread& t : threads) t.join();
  if (!locked) total = s.total;
  std::printf("tsan_selftest %s: total %ld\n", argv[1], total);
  return 0;
}
