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

}  // namespace oversight::eventstore

#endif  // OVERSIGHT_EVENTSTORE_LIMITS_H_
