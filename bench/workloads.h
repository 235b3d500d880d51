// The workloads of oversight_bench. The write workloads are PointSpecs run
// by RunRounds, every repetition on a fresh data directory; the median
// repetition is reported.
//
//   raw      RawStore (raw_rocks.h): synced RocksDB writes, the limit.
//   direct   RocksEventStore::Append in-process: the log without gRPC.
//   command  oversight.v1.Commands/SubmitProgressUpdate, the domain path.
//   grpc     oversight.v1.EventStore/Append through an in-process
//            OversightServer on 127.0.0.1:0, synchronous unary calls.
//   read     ReadAll of a populated log, in-process and over gRPC.

#ifndef OVERSIGHT_BENCH_WORKLOADS_H_
#define OVERSIGHT_BENCH_WORKLOADS_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "bench/harness.h"
#include "bench/raw_rocks.h"

namespace oversight::bench {

struct WorkloadOptions {
  double warmup_seconds = 0.5;
  double duration_seconds = 3;
  int repetitions = 3;
  size_t event_bytes = 1024;
  std::string scratch;  // Parent of the fresh data directories.
  RawShape raw_shape = RawShape::kOversight;
  bool keep_dirs = false;  // Leave data directories behind (debugging).
  // The gRPC workloads serve each fresh directory with this oversightd
  // binary, a process of its own, instead of an OversightServer in this
  // process (empty: in-process).
  std::string oversightd;
  // Flags for every oversightd started, after the harness's own
  // (--listen, --data_dir, ...), e.g. "--subscription_threads=4".
  std::vector<std::string> oversightd_flags;
};

// Event type used by every Oversight workload.
inline constexpr char kEventType[] = "bench.v1.Appended";

// One point to measure: a workload at one concurrency. `run_once` measures
// it once on the fresh data directory it is given.
struct PointSpec {
  std::string key;       // e.g. "raw.single.32"
  std::string workload;  // e.g. "raw RocksDB synced write, 1 event"
  std::string variant;
  int concurrency = 1;
  std::function<Point(const std::string& dir)> run_once;
};

// Measures every spec `options.repetitions` times, in rounds (each round
// runs every spec once, in order) so that points compared in a ratio see
// the same spells of disk and CPU contention; returns the median of each.
std::vector<Point> RunRounds(const WorkloadOptions& options,
                             const std::vector<PointSpec>& specs);

// Synced writes of `events_per_write` events each (1: single events) from
// `threads` threads, one stream per thread.
PointSpec RawSpec(const WorkloadOptions& options, int threads,
                  int events_per_write);

// RocksEventStore::Append (blocking) of `events_per_append` events from
// `threads` threads, each to its own stream with an exact expected
// revision.
PointSpec DirectSpec(const WorkloadOptions& options, int threads,
                     int events_per_append);

enum class ChannelMode {
  kPerClient,  // Each client thread has its own channel and connection.
  kShared,     // All client threads share one channel.
};
const char* ChannelModeName(ChannelMode mode);

// As DirectSpec, but each append is a unary gRPC call with a deadline to
// an OversightServer started for the point.
PointSpec GrpcSpec(const WorkloadOptions& options, int clients,
                   int events_per_append, ChannelMode mode);

// As GrpcSpec, but each client appends on one long-lived AppendStream
// instead of making a call per append (grpc_stream_workloads.cc).
PointSpec GrpcStreamSpec(const WorkloadOptions& options, int clients,
                         int events_per_append, ChannelMode mode);

// As GrpcSpec, but `calls` appends are kept in flight by `drivers` client
// threads with gRPC's completion-queue API (grpc_async_workloads.cc).
PointSpec GrpcAsyncSpec(const WorkloadOptions& options, int calls, int drivers,
                        int events_per_append);

// Unary GetHead calls, which touch no disk: the CPU cost of a gRPC call
// on this machine, an upper bound for single-event appends over gRPC.
PointSpec GrpcPingSpec(const WorkloadOptions& options, int clients);

// SubmitProgressUpdate commands from `clients` clients, each over 16
// recommendations of its own, through an OversightServer that takes
// identity from metadata (command_workloads.cc).
PointSpec CommandSpec(const WorkloadOptions& options, int clients);

// Writes `events` events into a fresh log, then reads the whole log
// `repetitions` times with ReadAll pages of `page` events, in-process and
// over gRPC (one client), and (once) through a gRPC Subscribe from
// position 1 until caught up. Returns {direct, gRPC ReadAll, gRPC Subscribe}
// points.
std::vector<Point> RunReadAll(const WorkloadOptions& options, uint64_t events,
                              int page);

}  // namespace oversight::bench

#endif  // OVERSIGHT_BENCH_WORKLOADS_H_
