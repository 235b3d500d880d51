// FoldLog: reads the log from a position to its head on a second thread,
// decoding its domain events there (projections/fold_event.h), and hands
// them in log order, in batches, to a fold on the calling thread. The
// projection host catches up with it on start (a rebuild is a catch-up
// from position 1): the reading thread also posts each batch in the
// history (`beside`) while the fold applies the batch before it, so on two
// cores the two halves overlap.
//
// Example:
//   pj::HistoryBuilder history(state);
//   absl::StatusOr<uint64_t> through = FoldLog(
//       log, state.position() + 1,
//       [&](absl::Span<const ScannedEvent> events) {  // reading thread
//         for (const ScannedEvent& e : events) history.Post(*e.event,
//                                                           e.position);
//       },
//       [&](absl::Span<const ScannedEvent> events, uint64_t through) {
//         for (const ScannedEvent& e : events) {
//           pj::ApplyModels(*e.event, e.position, &state);
//         }
//         state.set_position(through);
//       });
//   history.MergeInto(&state);

#ifndef OVERSIGHT_SERVICES_LOG_FOLD_H_
#define OVERSIGHT_SERVICES_LOG_FOLD_H_

#include <cstdint>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "eventstore/event_log.h"
#include "projections/fold_event.h"

namespace oversight::services {

// A domain event as FoldLog hands it over: valid only during the call.
struct ScannedEvent {
  uint64_t position = 0;
  const projections::FoldEvent* event = nullptr;
};

// Scans `log` (EventLog::Scan) from position `from` to the head as it
// stands at the call. For each batch of scanned events, in order, calls
// `fold` with the domain events among them (other streams' events and
// undecodable payloads are skipped) and the last position the batch
// covers. Before a batch goes to `fold`, `beside` sees its events on the
// reading thread, batch after batch in order (it must not touch what
// `fold` does). Returns the last position scanned (`from` - 1 when none),
// or the scan's error; batches folded before an error stay folded.
absl::StatusOr<uint64_t> FoldLog(
    eventstore::EventLog* log, uint64_t from,
    absl::FunctionRef<void(absl::Span<const ScannedEvent>)> beside,
    absl::FunctionRef<void(absl::Span<const ScannedEvent>, uint64_t through)>
        fold);
// The same with nothing beside.
absl::StatusOr<uint64_t> FoldLog(
    eventstore::EventLog* log, uint64_t from,
    absl::FunctionRef<void(absl::Span<const ScannedEvent>, uint64_t through)>
        fold);

}  // namespace oversight::services

#endif  // OVERSIGHT_SERVICES_LOG_FOLD_H_
