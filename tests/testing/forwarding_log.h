// An EventLog that forwards every call to another, for tests that change
// one behaviour (an append that fails, or that another writer races) and
// keep the rest of a real store.
//
// Example:
//   class FailingAppends final : public testing::ForwardingLog {
//     using ForwardingLog::ForwardingLog;
//     void AppendAsync(...) override { std::move(done)(Unavailable...); }
//   };

#ifndef OVERSIGHT_TESTS_TESTING_FORWARDING_LOG_H_
#define OVERSIGHT_TESTS_TESTING_FORWARDING_LOG_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "eventstore/event_log.h"

namespace oversight::testing {

class ForwardingLog : public eventstore::EventLog {
 public:
  // `base` must outlive this log.
  explicit ForwardingLog(eventstore::EventLog* base) : base_(base) {}

  void AppendAsync(std::string stream, eventstore::ExpectedRevision expected,
                   std::vector<eventstore::ProposedEvent> events,
                   AppendCallback done) override {
    base_->AppendAsync(std::move(stream), expected, std::move(events),
                       std::move(done));
  }
  absl::StatusOr<eventstore::ReadResult> ReadStream(
      absl::string_view stream, eventstore::Revision from,
      eventstore::Direction direction, size_t max_count) override {
    return base_->ReadStream(stream, from, direction, max_count);
  }
  absl::StatusOr<eventstore::ReadResult> ReadAll(
      eventstore::Position from, eventstore::Direction direction,
      size_t max_count, const eventstore::EventFilter& filter) override {
    return base_->ReadAll(from, direction, max_count, filter);
  }
  absl::StatusOr<eventstore::Position> Scan(
      eventstore::Position from,
      absl::FunctionRef<absl::Status(const eventstore::RecordedEvent&)> visit)
      override {
    return base_->Scan(from, visit);
  }
  absl::StatusOr<eventstore::RecordedEvent> ReadEvent(
      const eventstore::EventId& id) override {
    return base_->ReadEvent(id);
  }
  eventstore::ChainHead Head() const override { return base_->Head(); }
  absl::StatusOr<eventstore::VerifyResult> Verify(
      eventstore::Position from, eventstore::Position to) override {
    return base_->Verify(from, to);
  }
  std::unique_ptr<eventstore::Subscription> Subscribe(
      eventstore::Position from, eventstore::EventFilter filter) override {
    return base_->Subscribe(from, std::move(filter));
  }

 protected:
  eventstore::EventLog* base() const { return base_; }

 private:
  eventstore::EventLog* const base_;
};

}  // namespace oversight::testing

#endif  // OVERSIGHT_TESTS_TESTING_FORWARDING_LOG_H_
