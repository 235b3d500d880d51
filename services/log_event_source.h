// LogEventSource: the EventSource (projections/commands.h) that command
// handlers decide from, reading domain streams from the event log.

#ifndef OVERSIGHT_SERVICES_LOG_EVENT_SOURCE_H_
#define OVERSIGHT_SERVICES_LOG_EVENT_SOURCE_H_

#include <vector>

#include "eventstore/event_log.h"
#include "projections/commands.h"

namespace oversight::services {

class LogEventSource final : public projections::EventSource {
 public:
  // `log` must outlive this source.
  explicit LogEventSource(eventstore::EventLog* log) : log_(log) {}

  // Every event of `stream`, paging through the log; empty when the
  // stream does not exist. INTERNAL (CORRUPT_DOMAIN_EVENT) when an event
  // is not a DomainEvent; the log's own errors otherwise.
  absl::StatusOr<std::vector<v1::DomainEvent>> Read(
      absl::string_view stream) override;
  // From the stream's first event alone.
  absl::StatusOr<bool> StreamExists(absl::string_view stream) override;

 private:
  eventstore::EventLog* log_;
};

}  // namespace oversight::services

#endif  // OVERSIGHT_SERVICES_LOG_EVENT_SOURCE_H_
