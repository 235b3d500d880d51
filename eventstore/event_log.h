// EventLog: the contract of Oversight's append-only, tamper-evident log.
//
// A log holds named streams of events (one per aggregate, e.g.
// "recommendation-7"). Every event has a per-stream revision (0, 1, 2, ...)
// and a global position (1, 2, 3, ... without gaps) that orders all events
// of all streams. Each record is chained to the one before it by SHA-256,
// so the head hash commits to the whole history.
//
// This interface is deliberately narrow so that the log can later live on
// another engine (a replicated PostgreSQL table, NATS JetStream) with the
// rest of Oversight unchanged. RocksEventStore (rocks_event_store.h) is the
// embedded implementation.
//
// Thread safety: every method may be called from any thread concurrently.
//
// Example:
//   std::unique_ptr<RocksEventStore> log = *RocksEventStore::Open(dir, {});
//   absl::StatusOr<AppendResult> r = log->Append(
//       "review-1", ExpectedRevision::NoStream(), {event});
//   if (absl::IsAborted(r.status())) { /* someone else wrote first */ }

#ifndef OVERSIGHT_EVENTSTORE_EVENT_LOG_H_
#define OVERSIGHT_EVENTSTORE_EVENT_LOG_H_

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "eventstore/types.h"

namespace oversight::eventstore {

class Subscription;

// Pass as `from` to start a backwards read at the last event.
inline constexpr uint64_t kFromEnd = std::numeric_limits<uint64_t>::max();

class EventLog {
 public:
  using AppendCallback =
      absl::AnyInvocable<void(absl::StatusOr<AppendResult>) &&>;

  EventLog() = default;
  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;
  virtual ~EventLog() = default;

  // Appends `events` to `stream` atomically if `expected` holds, and calls
  // `done` once, after the events are durable (the write-ahead log is
  // synced) or the append has failed. `done` runs on the log's writer
  // thread, except for a request refused before it is queued (malformed,
  // or the log closed): then it runs on the caller's thread before
  // AppendAsync returns. `done` must be quick and must not call Append on
  // this log synchronously.
  //
  // Outcomes passed to `done`:
  //  - the positions and revisions given to the events;
  //  - the original positions, with `deduplicated` set, when every event id
  //    is already stored with the same stream, type, data and metadata;
  //  - InvalidArgument for a malformed request (see ValidateAppend);
  //  - Aborted (WRONG_EXPECTED_REVISION) when `expected` does not hold; the
  //    status carries the current revision (see CurrentRevisionOf);
  //  - AlreadyExists (EVENT_ID_REUSED) when an event id is stored with
  //    other content, or only part of the batch is stored;
  //  - Unavailable when storage failed or the log is closed. Nothing of
  //    the batch is visible then, unless a retry finds it recorded.
  virtual void AppendAsync(std::string stream, ExpectedRevision expected,
                           std::vector<ProposedEvent> events,
                           AppendCallback done) = 0;

  // Blocking form of AppendAsync.
  [[nodiscard]] absl::StatusOr<AppendResult> Append(
      std::string stream, ExpectedRevision expected,
      std::vector<ProposedEvent> events);

  // Reads up to `max_count` (1..kMaxReadCount) events of `stream`,
  // starting at revision `from` (kFromEnd: the last event) and going in
  // `direction`. Returns NotFound (STREAM_NOT_FOUND) if the stream has no
  // events. Reading forwards past the end returns an empty page with
  // `end_reached` set.
  [[nodiscard]] virtual absl::StatusOr<ReadResult> ReadStream(
      absl::string_view stream, Revision from, Direction direction,
      size_t max_count) = 0;

  // Reads up to `max_count` (1..kMaxReadCount) events of the whole log
  // that match `filter`, starting at position `from` (0 is read as 1;
  // kFromEnd: the head) and going in `direction`. `next` in the result is
  // the position to continue from; with a filter it may lie well past the
  // last returned event. Only acknowledged events are returned.
  [[nodiscard]] virtual absl::StatusOr<ReadResult> ReadAll(
      Position from, Direction direction, size_t max_count,
      const EventFilter& filter) = 0;

  // Calls `visit` with every acknowledged event from position `from` (0 is
  // read as 1) up to the head as it stood when the scan began, in log
  // order, and returns the last position visited (`from` - 1 when none).
  // Stops at the first non-OK status `visit` returns and returns that.
  // The event passed to `visit` is valid only during the call. Meant for
  // long sequential reads, such as rebuilding the read models: the
  // default reads pages through ReadAll; a store may do better.
  [[nodiscard]] virtual absl::StatusOr<Position> Scan(
      Position from,
      absl::FunctionRef<absl::Status(const RecordedEvent&)> visit);

  // The acknowledged event whose id is `id`. NotFound (EVENT_NOT_FOUND)
  // when no acknowledged event has it.
  [[nodiscard]] virtual absl::StatusOr<RecordedEvent> ReadEvent(
      const EventId& id) = 0;

  // The last acknowledged position and its chain hash.
  virtual ChainHead Head() const = 0;

  // Recomputes the chain over [from, to] (to = 0: the head), starting from
  // the stored hash at from - 1. A mismatch, a missing record or an
  // undecodable one is reported in the result (ok = false, first_bad),
  // not as an error. InvalidArgument (INVALID_RANGE) when from > to or to
  // is past the head; Unavailable when storage cannot be read.
  [[nodiscard]] virtual absl::StatusOr<VerifyResult> Verify(Position from,
                                                            Position to) = 0;

  // Starts a subscription delivering every event matching `filter` from
  // position `from` (kFromEnd: only events recorded after this call). The
  // log must outlive the subscription.
  [[nodiscard]] virtual std::unique_ptr<Subscription> Subscribe(
      Position from, EventFilter filter) = 0;
};

// Checks the shape of an append: stream name, event ids (present, UUIDs,
// distinct), types, sizes and counts against limits.h. Returns
// InvalidArgument with a reason from errors.h, or OK.
[[nodiscard]] absl::Status ValidateAppend(
    absl::string_view stream, const std::vector<ProposedEvent>& events);

// Checks a read or subscription filter: a stream prefix of at most
// kMaxStreamNameBytes, at most kMaxFilterEventTypes event types of 1 to
// kMaxEventTypeBytes each. InvalidArgument (INVALID_FILTER) otherwise.
[[nodiscard]] absl::Status ValidateFilter(const EventFilter& filter);

// Checks a stream name: 1..kMaxStreamNameBytes bytes of valid UTF-8 with
// no control characters.
[[nodiscard]] absl::Status ValidateStreamName(absl::string_view stream);

}  // namespace oversight::eventstore

#endif  // OVERSIGHT_EVENTSTORE_EVENT_LOG_H_
