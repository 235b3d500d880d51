// A small closed-loop load harness for oversight_bench: N threads each run
// one operation after another for a fixed time; the harness counts the
// events they complete inside a measurement window (after a warm-up) and
// keeps every operation's latency for percentiles.
//
// Example:
//   LoopConfig config;
//   config.threads = 8;
//   LoopResult r = RunClosedLoop(config, [&](int thread) {
//     return [&, thread]() -> OpOutcome { return {DoOneWrite(thread), true}; };
//   });
//   std::cout << r.EventsPerSecond() << " events/s, p99 "
//             << r.PercentileMs(0.99) << " ms";

#ifndef OVERSIGHT_BENCH_HARNESS_H_
#define OVERSIGHT_BENCH_HARNESS_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace oversight::bench {

// What one operation did: how many events it wrote or read, and whether it
// succeeded. Failed operations are counted but add no events.
struct OpOutcome {
  uint64_t events = 0;
  bool ok = true;
};

using Operation = std::function<OpOutcome()>;
// Builds the operation run by thread `index`, on that thread (so that setup
// such as opening a channel is not timed).
using OperationFactory = std::function<Operation(int index)>;

struct LoopConfig {
  int threads = 1;
  double warmup_seconds = 0.5;
  double duration_seconds = 3;
};

struct LoopResult {
  uint64_t events = 0;  // Completed inside the window.
  uint64_t ops = 0;
  uint64_t errors = 0;
  std::string first_error;
  double seconds = 0;      // Length of the measurement window.
  double cpu_seconds = 0;  // User + system CPU of the whole process in it.
  std::vector<double> latency_us;  // Sorted; one per op in the window.

  double EventsPerSecond() const { return seconds > 0 ? events / seconds : 0; }
  // q in [0, 1]; 0 when nothing was measured.
  double PercentileMs(double q) const;
};

// User + system CPU time used so far by this process, in seconds.
double ProcessCpuSeconds();

// Runs `factory(i)`'s operation in a loop on each of `config.threads`
// threads. Operations finishing during the warm-up are not counted; the
// window ends after `duration_seconds`, and threads stop after their
// current operation.
LoopResult RunClosedLoop(const LoopConfig& config,
                         const OperationFactory& factory);

// Records the first error message seen by any thread (thread-safe).
void NoteError(const std::string& message);
// Returns and clears the message recorded by NoteError.
std::string TakeNoteError();

// One measured point of the benchmark: a workload at one concurrency.
struct Point {
  std::string key;       // Stable id, e.g. "raw.single.32".
  std::string workload;  // Human-readable, e.g. "raw RocksDB synced write".
  std::string variant;   // e.g. "per-client channel".
  int concurrency = 1;
  double events_per_sec = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  bool has_latency = false;
  // CPU time (user + system, all threads of the process: clients, server
  // and RocksDB) per event; 0 when not measured.
  double cpu_us_per_event = 0;
  uint64_t errors = 0;
  std::string note;
  std::vector<double> repetitions;  // events/s of each repetition.
};

// A point's figures from one loop: events/s, p50, p99, CPU per event and
// errors (the first error message becomes the note).
Point ToPoint(const LoopResult& result);

// Median of the repetitions by events/s; latencies come from that
// repetition. `results` must not be empty.
Point MedianPoint(const std::vector<Point>& results);

// A fresh directory under `parent` (created if needed), unique per call.
std::string FreshDir(const std::string& parent, const std::string& name);
void RemoveDir(const std::string& dir);

// Random bytes for event payloads (not compressible).
std::string RandomBytes(size_t n, uint64_t seed);

// A short description of the machine: CPUs, memory, kernel, CPU model,
// the file system holding `dir` and the load average now.
struct MachineInfo {
  int nproc = 0;
  std::string cpu_model;
  std::string memory;
  std::string kernel;
  std::string filesystem;  // e.g. "ext4 on /dev/vda (mounted at /)"
  std::string load_average;
};
MachineInfo DescribeMachine(const std::string& dir);

}  // namespace oversight::bench

#endif  // OVERSIGHT_BENCH_HARNESS_H_
