// oversight_bench: measures, in one run on this machine, how close the
// event log comes to what RocksDB itself can do with the same durability
// (a synced write-ahead log on every acknowledged write):
//
//   - durable single-event appends over gRPC from 1, 8 and 32 clients,
//   - 100-event batch appends over gRPC,
//   - ReadAll of a whole log over gRPC (and in-process),
//   - the same writes done straight on RocksDB (synced writes from 1, 8,
//     32 threads; synced batches of 100): the physical limit,
//   - RocksEventStore::Append in-process, to separate gRPC from the log,
//
// and prints a Markdown table with each figure and the ratios against the
// aims. docs/benchmarks.md explains the method and discusses results.
//
// Usage (bench/run.sh builds in Release and runs this):
//   oversight_bench [--duration_seconds=3] [--repetitions=3]
//       [--event_bytes=1024] [--dir=/scratch] [--output_markdown=out.md]
//       [--workloads=raw,raw_batch,direct,direct_batch,grpc,grpc_stream,
//                    grpc_async,grpc_ping,grpc_batch,command,read]

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <set>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "bench/report.h"
#include "bench/workloads.h"

ABSL_FLAG(double, duration_seconds, 3,
          "Measured time per repetition of each write workload.");
ABSL_FLAG(double, warmup_seconds, 0.5,
          "Unmeasured time before each measurement window.");
ABSL_FLAG(int, repetitions, 3,
          "Repetitions of each point; the median is reported.");
ABSL_FLAG(int, event_bytes, 1024, "Bytes of data per event.");
ABSL_FLAG(std::string, dir, "",
          "Scratch directory for the data directories; default: a fresh "
          "directory under $TMPDIR (or /tmp), removed at the end.");
ABSL_FLAG(std::string, output_markdown, "",
          "Also write the report to this file.");
ABSL_FLAG(std::string, threads, "1,8,32",
          "Writer threads / clients of the single-event workloads.");
ABSL_FLAG(int, batch_size, 100, "Events per batch of the batch workloads.");
ABSL_FLAG(std::string, batch_threads, "1,8",
          "Writer threads / clients of the batch workloads.");
ABSL_FLAG(int, read_events, 200000,
          "Events written before the ReadAll workload.");
ABSL_FLAG(int, read_page, 1000, "max_count of each ReadAll page.");
ABSL_FLAG(
    std::string, workloads,
    "raw,raw_batch,direct,direct_batch,grpc,grpc_stream,grpc_async,grpc_ping,"
    "grpc_batch,command,read",
    "Workloads to run (comma-separated). grpc_ping: GetHead calls (no "
    "disk) from the largest --threads count: the cost of a gRPC call "
    "without the log.");
ABSL_FLAG(std::string, channel_modes, "per_client,shared",
          "gRPC channel modes: per_client (a channel and connection per client "
          "thread), shared (one channel for all). Both are measured for more "
          "than one client; the ratios use the better.");
ABSL_FLAG(std::string, raw_shape, "oversight",
          "Raw RocksDB write per event: oversight (record + stream index + "
          "event id entries, stream head per batch, as the log writes) or "
          "single_put (the record only).");
ABSL_FLAG(bool, keep_dirs, false, "Keep the data directories.");
ABSL_FLAG(bool, mutex_deadlock_detection, true,
          "Leave absl::Mutex deadlock detection as the installed Abseil sets "
          "it (Debian's is built without NDEBUG, so it is on, and it runs on "
          "every lock, gRPC's included), as oversightd does today. false: turn "
          "it off, as a server built for production would.");

namespace ob = ::oversight::bench;

namespace {

std::vector<int> ParseInts(const std::string& flag, const std::string& text) {
  std::vector<int> out;
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipEmpty())) {
    int v = 0;
    if (!absl::SimpleAtoi(part, &v) || v < 1) {
      std::cerr << "--" << flag << ": bad value \"" << part << "\"\n";
      std::exit(2);
    }
    out.push_back(v);
  }
  return out;
}

std::string MakeScratch(bool* remove_at_end) {
  std::string dir = absl::GetFlag(FLAGS_dir);
  *remove_at_end = dir.empty();
  if (!dir.empty()) return dir;
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = absl::StrCat(tmp != nullptr && *tmp ? tmp : "/tmp",
                                     "/oversight-bench-XXXXXX");
  if (mkdtemp(pattern.data()) == nullptr) {
    std::perror("mkdtemp");
    std::exit(1);
  }
  return pattern;
}

std::string Now() {
  std::time_t t = std::time(nullptr);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S %Z", std::localtime(&t));
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Measures Oversight's event log against raw RocksDB; see "
      "docs/benchmarks.md.");
  std::vector<std::string> command_parts(argv, argv + argc);
  absl::ParseCommandLine(argc, argv);
  const auto started = std::chrono::steady_clock::now();
  if (!absl::GetFlag(FLAGS_mutex_deadlock_detection)) {
    absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  }

  ob::WorkloadOptions options;
  options.warmup_seconds = absl::GetFlag(FLAGS_warmup_seconds);
  options.duration_seconds = absl::GetFlag(FLAGS_duration_seconds);
  options.repetitions = std::max(1, absl::GetFlag(FLAGS_repetitions));
  options.event_bytes = std::max(1, absl::GetFlag(FLAGS_event_bytes));
  options.keep_dirs = absl::GetFlag(FLAGS_keep_dirs);
  absl::StatusOr<ob::RawShape> shape =
      ob::ParseRawShape(absl::GetFlag(FLAGS_raw_shape));
  if (!shape.ok()) {
    std::cerr << shape.status().message() << "\n";
    return 2;
  }
  options.raw_shape = *shape;
  const std::vector<int> threads =
      ParseInts("threads", absl::GetFlag(FLAGS_threads));
  const std::vector<int> batch_threads =
      ParseInts("batch_threads", absl::GetFlag(FLAGS_batch_threads));
  const int batch = std::max(2, absl::GetFlag(FLAGS_batch_size));
  const std::vector<std::string> list =
      absl::StrSplit(absl::GetFlag(FLAGS_workloads), ',', absl::SkipEmpty());
  const std::set<std::string> workloads(list.begin(), list.end());
  std::vector<ob::ChannelMode> modes;
  for (absl::string_view m : absl::StrSplit(absl::GetFlag(FLAGS_channel_modes),
                                            ',', absl::SkipEmpty())) {
    if (m == "per_client")
      modes.push_back(ob::ChannelMode::kPerClient);
    else if (m == "shared")
      modes.push_back(ob::ChannelMode::kShared);
    else {
      std::cerr << "--channel_modes: unknown mode " << m << "\n";
      return 2;
    }
  }
  if (modes.empty()) modes.push_back(ob::ChannelMode::kPerClient);

  bool remove_scratch = false;
  options.scratch = MakeScratch(&remove_scratch);

  ob::Report report;
  report.command = absl::StrJoin(command_parts, " ");
  report.started = Now();
  report.machine = ob::DescribeMachine(options.scratch);
  report.settings = absl::StrFormat(
      "%.1f s measured (+%.1f s warm-up) per repetition, %d repetitions, "
      "%d-byte events, batches of %d, raw shape %s, ReadAll of %d events in "
      "pages of %d, absl::Mutex deadlock detection %s, every data "
      "directory fresh",
      options.duration_seconds, options.warmup_seconds, options.repetitions,
      options.event_bytes, batch, ob::RawShapeName(options.raw_shape),
      absl::GetFlag(FLAGS_read_events), absl::GetFlag(FLAGS_read_page),
      absl::GetFlag(FLAGS_mutex_deadlock_detection) ? "as installed" : "off");
  std::fprintf(stderr, "oversight_bench: scratch %s (%s), nproc %d\n",
               options.scratch.c_str(), report.machine.filesystem.c_str(),
               report.machine.nproc);

  auto run = [&](const char* name) { return workloads.count(name) > 0; };
  std::vector<ob::PointSpec> specs;
  // Points that are compared in a ratio are next to each other, so that
  // they run close together in time.
  for (int t : threads) {
    if (run("raw")) specs.push_back(ob::RawSpec(options, t, 1));
    if (run("direct")) specs.push_back(ob::DirectSpec(options, t, 1));
    // With one client both channel modes are the same thing.
    for (size_t m = 0; run("grpc") && m < (t == 1 ? 1 : modes.size()); ++m) {
      specs.push_back(ob::GrpcSpec(options, t, 1, modes[m]));
    }
    for (size_t m = 0; run("grpc_stream") && m < (t == 1 ? 1 : modes.size());
         ++m) {
      specs.push_back(ob::GrpcStreamSpec(options, t, 1, modes[m]));
    }
    if (run("command")) specs.push_back(ob::CommandSpec(options, t));
    if (run("grpc_async") && t > 1) {
      specs.push_back(ob::GrpcAsyncSpec(options, t, 1, 1));
    }
    // The cost of a bare call matters most where gRPC is the limit: at the
    // highest concurrency.
    if (run("grpc_ping") && t == threads.back()) {
      specs.push_back(ob::GrpcPingSpec(options, t));
    }
  }
  for (int t : batch_threads) {
    if (run("raw_batch")) specs.push_back(ob::RawSpec(options, t, batch));
    if (run("direct_batch")) {
      specs.push_back(ob::DirectSpec(options, t, batch));
    }
    for (size_t m = 0; run("grpc_batch") && m < (t == 1 ? 1 : modes.size());
         ++m) {
      specs.push_back(ob::GrpcSpec(options, t, batch, modes[m]));
    }
    if (run("grpc_stream")) {
      specs.push_back(ob::GrpcStreamSpec(options, t, batch, modes.front()));
    }
  }
  report.points = ob::RunRounds(options, specs);
  if (run("read")) {
    for (ob::Point& p :
         ob::RunReadAll(options, absl::GetFlag(FLAGS_read_events),
                        absl::GetFlag(FLAGS_read_page))) {
      report.points.push_back(std::move(p));
    }
  }
  if (remove_scratch) ob::RemoveDir(options.scratch);

  report.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started)
          .count();
  const int max_threads = threads.empty() ? 32 : threads.back();
  const std::string md =
      ob::RenderMarkdown(report, ob::ComputeRatios(report, max_threads, batch));
  std::cout << md;
  const std::string out = absl::GetFlag(FLAGS_output_markdown);
  if (!out.empty()) {
    std::ofstream file(out);
    file << md;
    if (!file) {
      std::cerr << "cannot write " << out << "\n";
      return 1;
    }
    std::fprintf(stderr, "oversight_bench: wrote %s\n", out.c_str());
  }
  return 0;
}
