// KeyedSequencer: runs tasks one at a time per key, in the order they were
// submitted, on an Executor, without blocking any thread while a key is
// busy. A task may finish long after it returns (an append completing on
// the log's writer thread): the key stays busy until the task's Done is
// called, or destroyed.
//
// Example:
//   KeyedSequencer sequencer(&executor);
//   sequencer.Submit("review:r", [](KeyedSequencer::Done done) {
//     StartAppend([done = std::move(done)]() mutable { done.Call(); });
//   });

#ifndef OVERSIGHT_SERVICES_KEYED_SEQUENCER_H_
#define OVERSIGHT_SERVICES_KEYED_SEQUENCER_H_

#include <deque>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"
#include "services/executor.h"

namespace oversight::services {

class KeyedSequencer {
 public:
  // Releases its key once: when Call() is first called, or when it is
  // destroyed without having been called. Movable, not copyable.
  class Done {
   public:
    Done() = default;
    Done(Done&& other) noexcept;
    Done& operator=(Done&& other) noexcept;
    Done(const Done&) = delete;
    Done& operator=(const Done&) = delete;
    ~Done() { Call(); }
    void Call();

   private:
    friend class KeyedSequencer;
    Done(KeyedSequencer* owner, std::string key)
        : owner_(owner), key_(std::move(key)) {}
    KeyedSequencer* owner_ = nullptr;
    std::string key_;
  };
  using Task = absl::AnyInvocable<void(Done) &&>;

  // `executor` must outlive the sequencer, and the sequencer every Done
  // and every task it runs: shut the executor down (joining its threads)
  // before destroying the sequencer.
  explicit KeyedSequencer(Executor* executor) : executor_(executor) {}
  KeyedSequencer(const KeyedSequencer&) = delete;
  KeyedSequencer& operator=(const KeyedSequencer&) = delete;

  // Runs `task` on the executor once every task submitted earlier with the
  // same key has finished.
  void Submit(std::string key, Task task);

  // Keys with a task running or waiting (for tests).
  size_t busy_keys() const;

 private:
  void Release(const std::string& key);
  void Run(std::string key, Task task);

  Executor* const executor_;
  mutable absl::Mutex mu_;
  // Present while the key is busy; holds the tasks waiting for it.
  absl::flat_hash_map<std::string, std::deque<Task>> waiting_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace oversight::services

#endif  // OVERSIGHT_SERVICES_KEYED_SEQUENCER_H_
