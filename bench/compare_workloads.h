// The workloads of compare_bench: the same appends, reads and
// subscriptions against raw RocksDB (the physical limit), Oversight over
// gRPC (an oversightd process) and a Message-DB-style event table in
// PostgreSQL through libpq (pg_store.h), with the same event sizes, the
// same durability and the same client concurrency.

#ifndef OVERSIGHT_BENCH_COMPARE_WORKLOADS_H_
#define OVERSIGHT_BENCH_COMPARE_WORKLOADS_H_

#include <cstdint>
#include <string>

#include "bench/harness.h"
#include "bench/workloads.h"

namespace oversight::bench {

struct CompareOptions {
  // Durations, repetitions, event size, scratch directory, and the
  // oversightd binary (`base.oversightd`, required).
  WorkloadOptions base;
  // libpq connection string of the PostgreSQL to measure.
  std::string pg;
};

// Writes of `events_per_write` events (write_message for one,
// write_messages for more; one transaction each) with the expected
// version, from `clients` connections, each to its own stream. Every
// repetition starts from an emptied table.
PointSpec PgSpec(const CompareOptions& options, int clients,
                 int events_per_write);

// Writes `events` events, 1,000 to a write, then reads the whole log
// forwards once untimed and `base.repetitions` times timed; the point is
// the median read (events/s; latency: the whole read).
//   raw:       an iterator over the `log` column family (RawStore::ScanLog);
//   oversight: ReadAll over gRPC from oversightd, pages of `page`;
//   pg:        SELECT ... WHERE global_position >= $1 ORDER BY
//              global_position LIMIT `page`, page after page (binary rows).
Point ReadRaw(const CompareOptions& options, uint64_t events);
Point ReadOversight(const CompareOptions& options, uint64_t events, int page);
Point ReadPg(const CompareOptions& options, uint64_t events, int page);

// Delivery lag: `subscribers` subscribers follow the log from its end
// while `appenders` clients append single events (each stamped with the
// time it was sent) for the warm-up and the window. A delivery's lag is
// the time from the send to its arrival at a subscriber; the point's p50
// and p99 are over every delivery of an event sent in the window, its
// events/s the appends in the window, and its note how many of the
// expected deliveries (appends × subscribers) arrived.
//   oversight: gRPC Subscribe (from_end) streams;
//   pg:        each subscriber LISTENs for a statement-level NOTIFY
//              trigger's signal, then reads from its last position.
struct LagOptions {
  int subscribers = 100;
  int appenders = 8;
  // Oversight's SubscribeRequest.max_events_per_response (0: one event
  // per response).
  uint32_t max_events_per_response = 0;
  // Oversight's subscribers on gRPC's callback API, all of them served by
  // gRPC's few threads, instead of a blocking reader on a thread each.
  bool callback_subscribers = false;
};
Point LagOversight(const CompareOptions& options, const LagOptions& lag);
Point LagPg(const CompareOptions& options, const LagOptions& lag);

}  // namespace oversight::bench

#endif  // OVERSIGHT_BENCH_COMPARE_WORKLOADS_H_
