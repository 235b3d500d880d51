#include "eventstore/event_log.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "eventstore/errors.h"
#include "eventstore/limits.h"

namespace oversight::eventstore {
namespace {

// True when `s` is valid UTF-8 (no overlongs, no surrogates, at most
// U+10FFFF) and contains no C0/C1 control character or DEL.
bool IsPrintableUtf8(absl::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const uint8_t c = static_cast<uint8_t>(s[i]);
    uint32_t cp;
    size_t len;
    if (c < 0x80) {
      cp = c;
      len = 1;
    } else if ((c & 0xe0) == 0xc0) {
      cp = c & 0x1f;
      len = 2;
    } else if ((c & 0xf0) == 0xe0) {
      cp = c & 0x0f;
      len = 3;
    } else if ((c & 0xf8) == 0xf0) {
      cp = c & 0x07;
      len = 4;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      const uint8_t cc = static_cast<uint8_t>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      return false;
    }
    if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) return false;
    i += len;
  }
  return true;
}

absl::Status Invalid(std::string message, absl::string_view reason) {
  return WithReason(absl::InvalidArgumentError(std::move(message)), reason);
}

}  // namespace

absl::StatusOr<AppendResult> EventLog::Append(
    std::string stream, ExpectedRevision expected,
    std::vector<ProposedEvent> events) {
  absl::Notification done;
  absl::StatusOr<AppendResult> result;
  AppendAsync(std::move(stream), expected, std::move(events),
              [&](absl::StatusOr<AppendResult> r) {
                result = std::move(r);
                done.Notify();
              });
  done.WaitForNotification();
  return result;
}

absl::StatusOr<Position> EventLog::Scan(
    Position from,
    absl::FunctionRef<absl::Status(const RecordedEvent&)> visit) {
  if (from == 0) from = 1;
  const Position through = Head().position;
  Position next = from;
  while (next <= through) {
    absl::StatusOr<ReadResult> page =
        ReadAll(next, Direction::kForwards, kMaxReadCount, EventFilter{});
    if (!page.ok()) return page.status();
    for (const RecordedEvent& e : page->events) {
      if (e.position > through) return through;
      if (absl::Status s = visit(e); !s.ok()) return s;
    }
    if (page->events.empty() || page->next <= next) break;
    next = page->next;
  }
  return std::min(next, through + 1) - 1;
}

absl::Status ValidateStreamName(absl::string_view stream) {
  if (stream.empty()) {
    return Invalid("stream name is empty", kReasonInvalidStreamName);
  }
  if (stream.size() > kMaxStreamNameBytes) {
    return Invalid(absl::StrCat("stream name is ", stream.size(),
                                " bytes; the limit is ", kMaxStreamNameBytes),
                   kReasonInvalidStreamName);
  }
  if (!IsPrintableUtf8(stream)) {
    return Invalid("stream name must be UTF-8 text without control characters",
                   kReasonInvalidStreamName);
  }
  return absl::OkStatus();
}

absl::Status ValidateFilter(const EventFilter& filter) {
  if (filter.stream_prefix.size() > kMaxStreamNameBytes) {
    return Invalid(absl::StrCat("filter stream prefix is over ",
                                kMaxStreamNameBytes, " bytes"),
                   kReasonInvalidFilter);
  }
  if (filter.event_types.size() > kMaxFilterEventTypes) {
    return Invalid(
        absl::StrCat("filter has ", filter.event_types.size(),
                     " event types; the limit is ", kMaxFilterEventTypes),
        kReasonInvalidFilter);
  }
  for (const std::string& type : filter.event_types) {
    if (type.empty() || type.size() > kMaxEventTypeBytes) {
      return Invalid(absl::StrCat("filter event types must be 1 to ",
                                  kMaxEventTypeBytes, " bytes"),
                     kReasonInvalidFilter);
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateAppend(absl::string_view stream,
                            const std::vector<ProposedEvent>& events) {
  if (absl::Status s = ValidateStreamName(stream); !s.ok()) return s;
  if (events.empty()) {
    return Invalid("an append needs at least one event", kReasonEmptyBatch);
  }
  if (events.size() > kMaxBatchEvents) {
    return Invalid(absl::StrCat("batch has ", events.size(),
                                " events; the limit is ", kMaxBatchEvents),
                   kReasonTooManyEvents);
  }
  absl::flat_hash_set<EventId> ids;
  size_t total = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    const ProposedEvent& e = events[i];
    if (e.id.IsNil()) {
      return Invalid(absl::StrCat("event ", i, " has no event id"),
                     kReasonMissingEventId);
    }
    if (!ids.insert(e.id).second) {
      return Invalid(absl::StrCat("event id ", e.id.ToString(),
                                  " appears twice in the batch"),
                     kReasonDuplicateEventIdInBatch);
    }
    if (e.type.empty() || e.type.size() > kMaxEventTypeBytes ||
        !IsPrintableUtf8(e.type)) {
      return Invalid(
          absl::StrCat("event ", i, ": type must be 1 to ", kMaxEventTypeBytes,
                       " bytes of text without control characters"),
          kReasonInvalidEventType);
    }
    if (e.data.size() > kMaxEventDataBytes) {
      return Invalid(absl::StrCat("event ", i, ": data is ", e.data.size(),
                                  " bytes; the limit is ", kMaxEventDataBytes),
                     kReasonEventTooLarge);
    }
    if (e.metadata.size() > kMaxEventMetadataBytes) {
      return Invalid(
          absl::StrCat("event ", i, ": metadata is ", e.metadata.size(),
                       " bytes; the limit is ", kMaxEventMetadataBytes),
          kReasonEventTooLarge);
    }
    total += e.data.size() + e.metadata.size();
  }
  if (total > kMaxBatchBytes) {
    return Invalid(absl::StrCat("batch is ", total, " bytes; the limit is ",
                                kMaxBatchBytes),
                   kReasonBatchTooLarge);
  }
  return absl::OkStatus();
}

}  // namespace oversight::eventstore
