// Size limits of the event log. Requests beyond them are refused with
// INVALID_ARGUMENT before anything is written.

#ifndef OVERSIGHT_EVENTSTORE_LIMITS_H_
#define OVERSIGHT_EVENTSTORE_LIMITS_H_

#include <cstddef>

namespace oversight::eventstore {

inline constexpr size_t kMaxStreamNameBytes = 256;
inline constexpr size_t kMaxEventTypeBytes = 256;
inline constexpr size_t kMaxEventDataBytes = size_t{1} << 20;      // 1 MiB
inline constexpr size_t kMaxEventMetadataBytes = size_t{1} << 20;  // 1 MiB
// Data plus metadata of all events of one append.
inline constexpr size_t kMaxBatchBytes = size_t{4} << 20;  // 4 MiB
inline constexpr size_t kMaxBatchEvents = 1000;
// Events returned by one read call.
inline constexpr size_t kMaxReadCount = 1000;
inline constexpr size_t kDefaultReadCount = 100;
// Stored bytes returned by one read call: a page stops before the record
// that would pass this (it always holds at least one record), so a page
// of large events stays a few MiB however many were asked for.
inline constexpr size_t kMaxReadBytes = size_t{7} << 19;  // 3.5 MiB
// A filter: at most this many event types, each and the stream prefix at
// most kMaxEventTypeBytes / kMaxStreamNameBytes.
inline constexpr size_t kMaxFilterEventTypes = 64;
// Payload of appends queued for the writer; past this, appends are refused
// with UNAVAILABLE (OVERLOADED) until the writer catches up.
inline constexpr size_t kMaxQueuedAppendBytes = size_t{256} << 20;

}  // namespace oversight::eventstore

#endif  // OVERSIGHT_EVENTSTORE_LIMITS_H_
