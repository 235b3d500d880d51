// Generates a realistic domain log for read_model_bench: the agencies of
// the police areas of England and Wales, then many oversight reviews like
// examples/dyfed-powys/stalking-review-2025-01.jsonl (recommendations,
// reporting periods opened and closed in turn, progress updates with 3 to
// 5 bullets, corrections, ratings, monitoring, meetings, risks,
// cross-references, closures, conclusions, partner programmes with
// quarterly reports), spread over the years since 2013 and interleaved in
// the log in the order they occurred, as a live server would have
// recorded them.
//
// Every event is decided by the domain's own rules (projections::
// DecideCommand) over an in-memory EventSource holding the review's
// streams, with the envelope the command handlers give it (occurred_at,
// classification, actor, request_id, request_sha256) and the event id they
// derive (CommandService::CommandEventId). It is written straight into the
// store (not through gRPC), one event per append as a command would, with
// the expected revision of its stream, thousands of appends in flight so
// that the store's group commit syncs them together.
//
// Example:
//   GenerateOptions options;
//   options.events = 1000000;
//   absl::StatusOr<GenerateStats> stats = GenerateDomainLog(store, options);

#ifndef OVERSIGHT_BENCH_DOMAIN_LOG_H_
#define OVERSIGHT_BENCH_DOMAIN_LOG_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "eventstore/event_log.h"

namespace oversight::bench {

struct GenerateOptions {
  // Events to write in all (the log is cut there, mid-history).
  uint64_t events = 1000000;
  uint64_t seed = 20250101;
  // Appends queued in the store at once.
  size_t max_in_flight = 4096;
  // "Now" for the rules (nothing may occur after it).
  absl::Time now = absl::Now();
  // Reviews open between these instants.
  absl::Time first_review = absl::FromUnixSeconds(1357034400);  // 2013-01-01
  absl::Duration last_review_before_now = absl::Hours(24 * 120);
};

struct GenerateStats {
  uint64_t events = 0;
  uint64_t bytes = 0;  // data of the events
  int agencies = 0;
  int reviews = 0;  // reviews with at least their opening recorded
  int reviews_planned = 0;
  int programmes = 0;
  absl::Time first_occurred = absl::InfiniteFuture();
  absl::Time last_occurred = absl::InfinitePast();
  double seconds = 0;         // wall time, planning to the last sync
  double decide_seconds = 0;  // of which planning and deciding
  std::map<std::string, uint64_t> by_type;  // event type -> count
  // Planned commands the rules refused (skipped), by reason: a measure of
  // how faithful the planner is to the rules, normally a handful.
  std::map<std::string, uint64_t> refused;
};

// Writes the log into `log`, which should be empty.
absl::StatusOr<GenerateStats> GenerateDomainLog(eventstore::EventLog* log,
                                                const GenerateOptions& options);

// Compacts every column family of the closed store in `dir`, opened with
// the options it was written with (its OPTIONS file), so that no pass
// measured on the generated log races RocksDB's background flushes and
// compactions. Returns the seconds it took.
absl::StatusOr<double> SettleStore(const std::string& dir);

}  // namespace oversight::bench

#endif  // OVERSIGHT_BENCH_DOMAIN_LOG_H_
