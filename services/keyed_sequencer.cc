#include "services/keyed_sequencer.h"

#include <utility>

namespace oversight::services {

KeyedSequencer::Done::Done(Done&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)),
      key_(std::move(other.key_)) {}

KeyedSequencer::Done& KeyedSequencer::Done::operator=(Done&& other) noexcept {
  if (this != &other) {
    Call();
    owner_ = std::exchange(other.owner_, nullptr);
    key_ = std::move(other.key_);
  }
  return *this;
}

void KeyedSequencer::Done::Call() {
  if (KeyedSequencer* owner = std::exchange(owner_, nullptr)) {
    owner->Release(key_);
  }
}

void KeyedSequencer::Submit(std::string key, Task task) {
  {
    absl::MutexLock lock(&mu_);
    auto [it, inserted] = waiting_.try_emplace(key);
    if (!inserted) {
      it->second.push_back(std::move(task));
      return;
    }
  }
  Run(std::move(key), std::move(task));
}

void KeyedSequencer::Run(std::string key, Task task) {
  executor_->Schedule(
      [this, key = std::move(key), task = std::move(task)]() mutable {
        Done done(this, key);
        std::move(task)(std::move(done));
      });
}

void KeyedSequencer::Release(const std::string& key) {
  Task next;
  {
    absl::MutexLock lock(&mu_);
    auto it = waiting_.find(key);
    if (it == waiting_.end()) return;  // cannot happen: Done releases once
    if (it->second.empty()) {
      waiting_.erase(it);
      return;
    }
    next = std::move(it->second.front());
    it->second.pop_front();
  }
  Run(key, std::move(next));
}

size_t KeyedSequencer::busy_keys() const {
  absl::MutexLock lock(&mu_);
  return waiting_.size();
}

}  // namespace oversight::services
