// FoldLog: reads the log from a position to its head with the parsing of
// domain events on a second thread, handing them in log order, in batches,
// to a fold on the calling thread. The projection host catches up with it
// on start (a rebuild is a catch-up from position 1): reading and parsing
// an event costs about as much as folding it, so on two cores the two
// halves overlap.
//
// Example:
//   absl::StatusOr<uint64_t> through = FoldLog(
//       log, state.position() + 1,
//       [&](absl::Span<const ScannedEvent> events, uint64_t through) {
//         for (const ScannedEvent& e : events) {
//           pj::Apply(*e.event, e.position, &state);
//         }
//         state.set_position(through);
//       });

#ifndef OVERSIGHT_SERVICES_LOG_FOLD_H_
#define OVERSIGHT_SERVICES_LOG_FOLD_H_

#include <cstdint>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "eventstore/event_log.h"
#include "oversight/v1/domain.pb.h"

namespace oversight::services {

// A domain event as FoldLog hands it over: valid only during the call.
struct ScannedEvent {
  uint64_t position = 0;
  const v1::DomainEvent* event = nullptr;
};

// Scans `log` (EventLog::Scan) from position `from` to the head as it
// stands at the call. For each batch of scanned events, in order, calls
// `fold` with the domain events among them (other streams' events and
// undecodable payloads are skipped) and the last position the batch
// covers. Returns the last position scanned (`from` - 1 when none), or the
// scan's error; batches folded before an error stay folded.
absl::StatusOr<uint64_t> FoldLog(
    eventstore::EventLog* log, uint64_t from,
    absl::FunctionRef<void(absl::Span<const ScannedEvent>, uint64_t through)>
        fold);

}  // namespace oversight::services

#endif  // OVERSIGHT_SERVICES_LOG_FOLD_H_
