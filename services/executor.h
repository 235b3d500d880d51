// Executor: a fixed pool of threads running queued tasks in FIFO order.
// gRPC reactors hand anything that may block (a disk read, a chain
// verification) to an executor so that gRPC's own threads never wait.
//
// Example:
//   Executor pool(2);
//   pool.Schedule([] { ReadFromDisk(); });
//   pool.Shutdown();  // runs what is queued, then joins

#ifndef OVERSIGHT_SERVICES_EXECUTOR_H_
#define OVERSIGHT_SERVICES_EXECUTOR_H_

#include <deque>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"

namespace oversight::services {

class Executor {
 public:
  explicit Executor(int threads);
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;
  ~Executor();  // Shutdown().

  // Queues `task`. After Shutdown() has begun, runs it on the caller's
  // thread instead, so no task is ever dropped.
  void Schedule(absl::AnyInvocable<void()> task);

  // Runs every queued task, then joins the threads. Idempotent.
  void Shutdown();

 private:
  void Loop();

  absl::Mutex mu_;
  std::deque<absl::AnyInvocable<void()>> tasks_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace oversight::services

#endif  // OVERSIGHT_SERVICES_EXECUTOR_H_
