#include "services/log_event_source.h"

#include "absl/strings/str_cat.h"
#include "eventstore/errors.h"
#include "eventstore/limits.h"
#include "projections/domain_errors.h"

namespace oversight::services {

namespace es = ::oversight::eventstore;

absl::StatusOr<std::vector<v1::DomainEvent>> LogEventSource::Read(
    absl::string_view stream) {
  std::vector<v1::DomainEvent> events;
  es::Revision from = 0;
  while (true) {
    absl::StatusOr<es::ReadResult> page = log_->ReadStream(
        stream, from, es::Direction::kForwards, es::kMaxReadCount);
    if (!page.ok()) {
      if (absl::IsNotFound(page.status()) && from == 0) return events;
      return page.status();
    }
    for (const es::RecordedEvent& e : page->events) {
      v1::DomainEvent& parsed = events.emplace_back();
      if (!parsed.ParseFromString(e.data)) {
        return es::WithReason(
            absl::InternalError(absl::StrCat(
                "stream \"", stream, "\" revision ", e.revision, " (position ",
                e.position, ") is not a domain event")),
            projections::kReasonCorruptDomainEvent);
      }
    }
    if (page->end_reached || page->events.empty()) return events;
    from = page->next;
  }
}

absl::StatusOr<bool> LogEventSource::StreamExists(absl::string_view stream) {
  absl::StatusOr<es::ReadResult> first =
      log_->ReadStream(stream, 0, es::Direction::kForwards, 1);
  if (first.ok()) return !first->events.empty();
  if (absl::IsNotFound(first.status())) return false;
  return first.status();
}

}  // namespace oversight::services
