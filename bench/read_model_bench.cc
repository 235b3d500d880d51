// read_model_bench: the read models at scale. Generates a realistic domain
// log (bench/domain_log.h: many reviews like the example, agencies shared
// across them, interleaved over the years) straight into a RocksEventStore,
// then measures in one run:
//
//   1. the full rebuild of all projections (ProjectionHost, rebuild=true)
//      in events/s, beside the raw scan of the same RocksDB data
//      (EventLog::Scan, the limit), reads in pages of 1,000 (ReadAll),
//      plain, with every event parsed, and parsed and folded on one
//      thread without the host, repeated and reported as medians; and the
//      start from the snapshot;
//   2. GetStatusBoard and ListAttention over gRPC, for random reviews, now,
//      as at a past position and as at a past effective date (p50, p99);
//   3. resident memory: of this process before and after its server loads
//      the read models, and of the real oversightd started on the data.
//
// It prints a Markdown report (docs/benchmarks.md, "Read models at
// 1,000,000 events") and writes it to bench/results/read_model.md.
//
//   read_model_bench --events=1000000 --dir=/tmp/rm --keep --queries=200
//
// With --dir naming a directory that already holds a log, generation is
// skipped and that log is measured.

#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/daemon.h"
#include "bench/domain_log.h"
#include "bench/harness.h"
#include "eventstore/rocks_event_store.h"
#include "grpcpp/grpcpp.h"
#include "oversight/v1/projection_state.pb.h"
#include "oversight/v1/queries.grpc.pb.h"
#include "projections/aggregates.h"
#include "projections/read_model.h"
#include "services/projection_host.h"
#include "services/server.h"

#ifndef OVERSIGHTD_PATH
#define OVERSIGHTD_PATH ""
#endif
#ifndef OVERSIGHT_SOURCE_DIR
#define OVERSIGHT_SOURCE_DIR "."
#endif

ABSL_FLAG(uint64_t, events, 1000000, "Events in the generated log.");
ABSL_FLAG(std::string, dir, "",
          "Data directory of the log. Empty: a fresh directory under $TMPDIR "
          "(or /tmp), removed at the end unless --keep. A directory that "
          "already holds a log is measured as it is, without generating.");
ABSL_FLAG(bool, keep, false, "Keep the data directory at the end.");
ABSL_FLAG(int, queries, 200, "Measured calls of each query kind.");
ABSL_FLAG(int, repetitions, 3,
          "Repetitions of the scans and of the rebuild; medians reported.");
ABSL_FLAG(uint64_t, seed, 20250101, "Seed of the generated log.");
ABSL_FLAG(int, in_flight, 4096, "Appends in flight while generating.");
ABSL_FLAG(std::string, oversightd, OVERSIGHTD_PATH,
          "The oversightd binary whose resident memory is measured on the "
          "data; empty: skip that measurement.");
ABSL_FLAG(std::string, output_markdown,
          OVERSIGHT_SOURCE_DIR "/bench/results/read_model.md",
          "Also write the report here (empty: only print it).");
ABSL_FLAG(bool, generate_only, false,
          "Only generate the log into --dir and print what was written as "
          "key=value lines (the benchmark runs itself this way, so that the "
          "generator's memory is not in the figures).");
ABSL_FLAG(bool, settle, true,
          "Compact the store (every column family, with the options it was "
          "written with) after generating and again before the queries, so "
          "that no pass races RocksDB's background flushes and compactions "
          "(of the generated log, or of the 125 MB snapshots the rebuilds "
          "write); a long-running server's store is settled like this.");
ABSL_FLAG(std::string, only, "",
          "Run one pass --repetitions times on the log in --dir (which must "
          "hold one) and print its figures, no report: scan, raw, parse, fold, "
          "fold_batched, rebuild (ProjectionHost), or queries (an in-process "
          "server from "
          "the snapshot). For profiling one figure with perf.");
ABSL_FLAG(std::string, justification, "",
          "The auditor's justification on every query. Empty: none, so the "
          "log's OFFICIAL-SENSITIVE events are withheld from it and every "
          "answer about a review holding one is folded for it; given: it "
          "reads everything from the live read models, and each such answer "
          "is recorded in the access log first.");
ABSL_FLAG(int, fold_batch, 1000,
          "Events parsed before folding them in the fold_batched pass (the "
          "host parsed a whole page of 1,000 before commit 561fa4d).");
ABSL_FLAG(bool, mutex_deadlock_detection, false,
          "Leave absl::Mutex deadlock detection as the installed Abseil sets "
          "it (on, in Debian's build). Off by default, as oversightd turns "
          "it off.");

namespace es = ::oversight::eventstore;
namespace ob = ::oversight::bench;
namespace pj = ::oversight::projections;
namespace sv = ::oversight::services;
namespace v1 = ::oversight::v1;

namespace {

using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

void Say(const std::string& line) {
  std::fprintf(stderr, "read_model_bench: %s\n", line.c_str());
  std::fflush(stderr);
}

[[noreturn]] void Die(const std::string& what) {
  Say(absl::StrCat("error: ", what));
  std::exit(1);
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::string Thousands(double v) {
  std::string digits = absl::StrFormat("%.0f", v);
  std::string out;
  const size_t start = digits[0] == '-' ? 1 : 0;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > start && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string Join(const std::vector<double>& v, const char* format) {
  std::vector<std::string> parts;
  for (double x : v) parts.push_back(absl::StrFormat(format, x));
  return absl::StrJoin(parts, ", ");
}

// VmRSS and VmHWM of a process ("self" or a pid), in bytes.
struct Memory {
  uint64_t rss = 0;
  uint64_t hwm = 0;
};
Memory MemoryOf(const std::string& pid) {
  Memory m;
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    uint64_t kb = 0;
    if (sscanf(line.c_str(), "VmRSS: %lu kB", &kb) == 1) m.rss = kb * 1024;
    if (sscanf(line.c_str(), "VmHWM: %lu kB", &kb) == 1) m.hwm = kb * 1024;
  }
  return m;
}

std::string Mem(uint64_t bytes) {
  return absl::StrFormat("%.0f MiB (%.0f MB)", bytes / 1048576.0, bytes / 1e6);
}

uint64_t DirBytes(const std::string& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir, ec)) {
    if (e.is_regular_file(ec)) total += e.file_size(ec);
  }
  return total;
}

std::string MakeScratch() {
  std::string dir = absl::GetFlag(FLAGS_dir);
  if (!dir.empty()) return dir;
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = absl::StrCat(tmp != nullptr && *tmp ? tmp : "/tmp",
                                     "/oversight-read-model-XXXXXX");
  if (mkdtemp(pattern.data()) == nullptr) Die("mkdtemp failed");
  return pattern;
}

bool HoldsLog(const std::string& dir) {
  return std::filesystem::exists(std::filesystem::path(dir) / "CURRENT");
}

// ------------------------------------------------------------ generating

int GenerateOnly(const std::string& dir) {
  es::RocksEventStore::Options options;
  options.verify_on_open = false;
  absl::StatusOr<std::unique_ptr<es::RocksEventStore>> store =
      es::RocksEventStore::Open(dir, options);
  if (!store.ok()) Die(store.status().ToString());
  if ((*store)->Head().position != 0) Die(dir + " already holds a log");
  ob::GenerateOptions g;
  g.events = absl::GetFlag(FLAGS_events);
  g.seed = absl::GetFlag(FLAGS_seed);
  g.max_in_flight = static_cast<size_t>(absl::GetFlag(FLAGS_in_flight));
  absl::StatusOr<ob::GenerateStats> stats =
      ob::GenerateDomainLog(store->get(), g);
  if (!stats.ok()) Die(stats.status().ToString());
  const es::RocksEventStore::Stats s = (*store)->stats();
  (*store)->Close();
  std::printf("events=%lu\n", stats->events);
  std::printf("bytes=%lu\n", stats->bytes);
  std::printf("agencies=%d\n", stats->agencies);
  std::printf("reviews=%d\n", stats->reviews);
  std::printf("reviews_planned=%d\n", stats->reviews_planned);
  std::printf("programmes=%d\n", stats->programmes);
  std::printf(
      "first_occurred=%s\n",
      absl::FormatTime("%Y-%m-%d", stats->first_occurred, absl::UTCTimeZone())
          .c_str());
  std::printf(
      "last_occurred=%s\n",
      absl::FormatTime("%Y-%m-%d", stats->last_occurred, absl::UTCTimeZone())
          .c_str());
  std::printf("seconds=%.3f\n", stats->seconds);
  std::printf("decide_seconds=%.3f\n", stats->decide_seconds);
  std::printf("commit_groups=%lu\n", s.groups);
  for (const auto& [type, n] : stats->by_type) {
    std::printf("type.%s=%lu\n", type.c_str(), n);
  }
  for (const auto& [reason, n] : stats->refused) {
    std::printf("refused.%s=%lu\n", reason.c_str(), n);
  }
  return 0;
}

// Runs this binary with --generate_only and returns its key=value lines.
std::map<std::string, std::string> Generate(const std::string& dir) {
  int out[2];
  if (pipe(out) != 0) Die("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  std::vector<std::string> args = {
      "read_model_bench",
      "--generate_only",
      absl::StrCat("--dir=", dir),
      absl::StrCat("--events=", absl::GetFlag(FLAGS_events)),
      absl::StrCat("--seed=", absl::GetFlag(FLAGS_seed)),
      absl::StrCat("--in_flight=", absl::GetFlag(FLAGS_in_flight))};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawn(&pid, "/proc/self/exe", &actions, nullptr, argv.data(),
                  environ) != 0) {
    Die("cannot run the generator");
  }
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = read(out[0], buf, sizeof buf)) > 0) text.append(buf, n);
  close(out[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    Die("the generator failed");
  }
  std::map<std::string, std::string> kv;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    const size_t eq = line.find('=');
    if (eq == absl::string_view::npos) continue;
    kv[std::string(line.substr(0, eq))] = std::string(line.substr(eq + 1));
  }
  return kv;
}

double SettleStore(const std::string& dir) {
  absl::StatusOr<double> seconds = ob::SettleStore(dir);
  if (!seconds.ok()) Die(seconds.status().ToString());
  return *seconds;
}

// What the read models hold, by protobuf's own estimate (SpaceUsedLong:
// objects and their strings, without the allocator's overhead).
struct Footprint {
  uint64_t total = 0;
  uint64_t history = 0;
  uint64_t reviews = 0;
  uint64_t history_keys = 0;
  uint64_t postings = 0;
  uint64_t recommendations = 0;
  uint64_t updates = 0;
};
Footprint FootprintOf(const v1::ProjectionState& state) {
  Footprint f;
  f.total = state.SpaceUsedLong();
  for (const auto& [key, postings] : state.history()) {
    f.history += key.capacity() + postings.SpaceUsedLong();
    ++f.history_keys;
    f.postings += postings.positions_size();
  }
  for (const auto& [id, review] : state.reviews()) {
    f.reviews += id.capacity() + review.SpaceUsedLong();
    for (const auto& [number, rec] : review.recommendations()) {
      ++f.recommendations;
      f.updates += rec.updates_size();
    }
  }
  return f;
}

// --------------------------------------------------------------- scans

enum class ScanMode { kLogScan, kRaw, kParse, kFold, kFoldBatched };

struct ReviewRef {
  std::string id;
  uint64_t position = 0;
  absl::Time occurred_at;
};

struct ScanResult {
  uint64_t events = 0;
  uint64_t bytes = 0;
  double seconds = 0;
  double EventsPerSecond() const { return seconds > 0 ? events / seconds : 0; }
};

// kLogScan reads the whole log through EventLog::Scan (one iterator, what
// the host's rebuild reads with) and does nothing else: the limit. The
// other modes read it in pages of 1,000 (ReadAll); with kParse parses every
// event (ToDomainEvent); with kFold decodes it (DecodeFoldEvent) and folds
// it into a fresh ProjectionState (ApplyFold: what the host does on one
// thread, without its subscription and lock). `reviews`, when
// given, receives every ReviewOpened; `at` the occurred_at of the event at
// position `at_position`.
ScanResult Scan(es::RocksEventStore* store, ScanMode mode,
                std::vector<ReviewRef>* reviews = nullptr,
                uint64_t at_position = 0, absl::Time* at = nullptr,
                Footprint* footprint = nullptr) {
  ScanResult r;
  if (mode == ScanMode::kLogScan) {
    const auto t = Clock::now();
    absl::StatusOr<es::Position> last =
        store->Scan(1, [&r](const es::RecordedEvent& e) {
          ++r.events;
          r.bytes += e.data.size();
          return absl::OkStatus();
        });
    if (!last.ok()) Die(last.status().ToString());
    r.seconds = Since(t);
    return r;
  }
  auto state = std::make_unique<v1::ProjectionState>();
  pj::FoldEvent decoded;
  const auto t = Clock::now();
  es::Position from = 1;
  while (true) {
    absl::StatusOr<es::ReadResult> page =
        store->ReadAll(from, es::Direction::kForwards, 1000, {});
    if (!page.ok()) Die(page.status().ToString());
    if (mode == ScanMode::kFoldBatched) {
      // As ProjectionHost::ApplyAvailable did before it parsed and folded
      // each event in turn: parse the page (in groups of --fold_batch),
      // then fold it, then free it.
      const size_t batch =
          static_cast<size_t>(std::max(1, absl::GetFlag(FLAGS_fold_batch)));
      std::vector<pj::RecordedDomainEvent> parsed;
      parsed.reserve(std::min(batch, page->events.size()));
      for (size_t i = 0; i < page->events.size(); i += batch) {
        const size_t end = std::min(page->events.size(), i + batch);
        for (size_t j = i; j < end; ++j) {
          const es::RecordedEvent& e = page->events[j];
          ++r.events;
          r.bytes += e.data.size();
          if (auto d = pj::ToDomainEvent(e)) parsed.push_back(*std::move(d));
        }
        for (const pj::RecordedDomainEvent& d : parsed) {
          pj::Apply(d, state.get());
        }
        parsed.clear();
      }
    }
    for (const es::RecordedEvent& e : page->events) {
      if (mode == ScanMode::kFoldBatched) break;
      ++r.events;
      r.bytes += e.data.size();
      if (mode == ScanMode::kRaw) continue;
      if (mode == ScanMode::kFold) {
        // As the host folds: decoded from the stored bytes (fold_event.h).
        if (pj::IsDomainStream(e.stream) &&
            pj::DecodeFoldEvent(e.data, &decoded) &&
            decoded.payload_case != v1::DomainEvent::PAYLOAD_NOT_SET) {
          pj::ApplyFold(decoded, e.position, state.get());
        }
        continue;
      }
      std::optional<pj::RecordedDomainEvent> d = pj::ToDomainEvent(e);
      if (!d.has_value()) continue;
      if (reviews != nullptr &&
          d->event.payload_case() == v1::DomainEvent::kReviewOpened) {
        reviews->push_back({d->event.review_opened().review_id(), d->position,
                            d->occurred_at()});
      }
      if (at != nullptr && d->position == at_position) *at = d->occurred_at();
    }
    if (page->end_reached || page->events.empty()) break;
    from = page->next;
  }
  r.seconds = Since(t);
  if (footprint != nullptr) *footprint = FootprintOf(*state);
  state.reset();  // freeing is not part of the fold
  return r;
}

// ------------------------------------------------------------- queries

struct QueryPoint {
  std::string name;
  std::string as_of;
  std::vector<double> ms;  // sorted
  int errors = 0;
  std::string first_error;
  double mean_size = 0;  // rows or items per answer
  double Percentile(double q) const {
    if (ms.empty()) return 0;
    size_t rank = static_cast<size_t>(std::ceil(q * ms.size()));
    rank = std::clamp<size_t>(rank, 1, ms.size());
    return ms[rank - 1];
  }
  double Mean() const {
    double s = 0;
    for (double x : ms) s += x;
    return ms.empty() ? 0 : s / ms.size();
  }
};

enum class AsOfKind { kNow, kPosition, kDate };

struct QueryPlan {
  uint64_t position = 0;  // as at this position
  absl::Time date;        // as at this effective instant
  std::vector<std::string> all, by_position, by_date;  // eligible reviews
};

void SetAsOf(AsOfKind kind, const QueryPlan& plan, v1::AsOf* as_of) {
  if (kind == AsOfKind::kPosition) as_of->set_position(plan.position);
  if (kind == AsOfKind::kDate) {
    as_of->mutable_effective_at()->set_seconds(absl::ToUnixSeconds(plan.date));
  }
}

QueryPoint RunQueries(v1::Queries::Stub* stub, bool board, AsOfKind kind,
                      const QueryPlan& plan, int calls, int warmup,
                      std::mt19937_64& rng) {
  QueryPoint p;
  p.name = board ? "GetStatusBoard" : "ListAttention";
  p.as_of = kind == AsOfKind::kNow ? "now"
            : kind == AsOfKind::kPosition
                ? absl::StrCat("as at position ", Thousands(plan.position))
                : absl::StrCat("as at ",
                               absl::FormatTime("%Y-%m-%d %H:%M UTC", plan.date,
                                                absl::UTCTimeZone()));
  const std::vector<std::string>& pool = kind == AsOfKind::kNow ? plan.all
                                         : kind == AsOfKind::kPosition
                                             ? plan.by_position
                                             : plan.by_date;
  if (pool.empty()) {
    p.first_error = "no review existed then";
    return p;
  }
  uint64_t sizes = 0;
  for (int i = 0; i < warmup + calls; ++i) {
    const std::string& review =
        pool[std::uniform_int_distribution<size_t>(0, pool.size() - 1)(rng)];
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(60));
    // An auditor, who may read both.
    ob::AddAuditorMetadata(&context, "read-model-bench",
                           absl::GetFlag(FLAGS_justification));
    grpc::Status status;
    size_t size = 0;
    const auto t = Clock::now();
    if (board) {
      v1::GetStatusBoardRequest request;
      request.set_review_id(review);
      SetAsOf(kind, plan, request.mutable_as_of());
      v1::GetStatusBoardResponse response;
      status = stub->GetStatusBoard(&context, request, &response);
      size = response.rows_size();
    } else {
      v1::ListAttentionRequest request;
      request.set_review_id(review);
      SetAsOf(kind, plan, request.mutable_as_of());
      v1::ListAttentionResponse response;
      status = stub->ListAttention(&context, request, &response);
      size = response.items_size();
    }
    const double ms = Since(t) * 1e3;
    if (i < warmup) continue;
    if (!status.ok()) {
      if (p.errors++ == 0) {
        p.first_error = absl::StrCat(review, ": ", status.error_message());
      }
      continue;
    }
    p.ms.push_back(ms);
    sizes += size;
  }
  std::sort(p.ms.begin(), p.ms.end());
  p.mean_size = p.ms.empty() ? 0 : static_cast<double>(sizes) / p.ms.size();
  return p;
}

std::vector<QueryPoint> RunAllQueries(const std::string& address,
                                      const QueryPlan& plan, int calls,
                                      int warmup, uint64_t seed) {
  std::unique_ptr<v1::Queries::Stub> stub = ob::NewQueriesStub(address);
  std::mt19937_64 rng(seed);
  std::vector<QueryPoint> out;
  for (bool board : {true, false}) {
    for (AsOfKind kind :
         {AsOfKind::kNow, AsOfKind::kPosition, AsOfKind::kDate}) {
      out.push_back(
          RunQueries(stub.get(), board, kind, plan, calls, warmup, rng));
      const QueryPoint& p = out.back();
      Say(absl::StrFormat(
          "%s %s: p50 %.2f ms, p99 %.2f ms, %d errors%s", p.name, p.as_of,
          p.Percentile(0.5), p.Percentile(0.99), p.errors,
          p.first_error.empty() ? "" : " (" + p.first_error + ")"));
    }
  }
  return out;
}

// ------------------------------------------------------------ oversightd

struct DaemonRun {
  std::string flags;
  bool ok = false;
  std::string error;
  double seconds_to_listen = 0;
  std::string read_models_line;
  Memory after_load;
  Memory after_queries;
  std::vector<QueryPoint> queries;
};

// Starts oversightd on `dir`, waits for "listening on", reads its memory,
// runs a few queries, reads it again, and stops it with SIGTERM.
DaemonRun RunDaemon(const std::string& binary, const std::string& dir,
                    const std::vector<std::string>& extra,
                    const QueryPlan& plan, int calls, uint64_t seed) {
  DaemonRun run;
  run.flags = absl::StrJoin(extra, " ");
  absl::StatusOr<std::unique_ptr<ob::Daemon>> daemon =
      ob::Daemon::Start(binary, dir, extra, [&run](const std::string& line) {
        Say(absl::StrCat("  ", line));
        if (size_t at = line.find("read models: "); at != std::string::npos) {
          run.read_models_line = line.substr(at + 13);
        }
      });
  if (!daemon.ok()) {
    run.error = std::string(daemon.status().message());
    return run;
  }
  run.ok = true;
  run.seconds_to_listen = (*daemon)->seconds_to_listen();
  const std::string pid = absl::StrCat((*daemon)->pid());
  run.after_load = MemoryOf(pid);
  run.queries = RunAllQueries((*daemon)->address(), plan, calls, 10, seed);
  run.after_queries = MemoryOf(pid);
  (*daemon)->Stop();
  return run;
}

double RebuildOnce(es::RocksEventStore* store) {
  sv::ProjectionHost::Options options;
  options.rebuild = true;
  options.snapshot_every = 0;
  absl::StatusOr<std::unique_ptr<sv::ProjectionHost>> host =
      sv::ProjectionHost::Start(store, store, options);
  if (!host.ok()) Die(host.status().ToString());
  const sv::ProjectionHost::StartInfo& info = (*host)->start_info();
  const double rate =
      info.events_applied / absl::ToDoubleSeconds(info.catch_up_time);
  (*host)->Stop().IgnoreError();
  return rate;
}

// --only: one pass, repeated, figures to stderr.
int RunOnly(const std::string& only, es::RocksEventStore* store,
            int repetitions, int calls, uint64_t seed) {
  if (only == "queries") {
    QueryPlan plan;
    plan.position = store->Head().position / 2;
    std::vector<ReviewRef> reviews;
    Scan(store, ScanMode::kParse, &reviews, plan.position, &plan.date);
    for (const ReviewRef& ref : reviews) {
      plan.all.push_back(ref.id);
      if (ref.position <= plan.position) plan.by_position.push_back(ref.id);
      if (ref.occurred_at <= plan.date) plan.by_date.push_back(ref.id);
    }
    sv::ServerOptions options;
    options.listen = "127.0.0.1:0";
    // The queries name their reader (an auditor) in metadata.
    options.insecure_identity_from_metadata = true;
    options.snapshots = store;
    options.projections.snapshot_every = 0;
    absl::StatusOr<std::unique_ptr<sv::OversightServer>> server =
        sv::OversightServer::Start(options, store);
    if (!server.ok()) Die(server.status().ToString());
    for (int r = 0; r < repetitions; ++r) {
      RunAllQueries((*server)->address(), plan, calls, 10, seed + r);
    }
    (*server)->Shutdown(absl::Seconds(5));
    return 0;
  }
  for (int r = 0; r < repetitions; ++r) {
    double rate = 0;
    if (only == "scan") {
      rate = Scan(store, ScanMode::kLogScan).EventsPerSecond();
    } else if (only == "raw") {
      rate = Scan(store, ScanMode::kRaw).EventsPerSecond();
    } else if (only == "parse") {
      rate = Scan(store, ScanMode::kParse).EventsPerSecond();
    } else if (only == "fold") {
      rate = Scan(store, ScanMode::kFold).EventsPerSecond();
    } else if (only == "fold_batched") {
      rate = Scan(store, ScanMode::kFoldBatched).EventsPerSecond();
    } else if (only == "rebuild") {
      rate = RebuildOnce(store);
    } else {
      Die("--only: unknown pass " + only);
    }
    Say(absl::StrCat(only, ": ", Thousands(rate), " events/s"));
  }
  return 0;
}

std::string Now() {
  return absl::FormatTime("%Y-%m-%d %H:%M UTC", absl::Now(),
                          absl::UTCTimeZone());
}

std::string Met(bool met) { return met ? "yes" : "**no**"; }

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Generates a realistic domain log and measures the read models on it: "
      "rebuild against a raw scan, status board and attention latency now "
      "and as at the past, resident memory. See docs/benchmarks.md.");
  std::vector<std::string> command_parts(argv, argv + argc);
  absl::ParseCommandLine(argc, argv);
  if (!absl::GetFlag(FLAGS_mutex_deadlock_detection)) {
    absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  }
  if (absl::GetFlag(FLAGS_generate_only)) {
    if (absl::GetFlag(FLAGS_dir).empty()) Die("--generate_only needs --dir");
    return GenerateOnly(absl::GetFlag(FLAGS_dir));
  }
  const auto run_started = Clock::now();
  const std::string started_at = Now();
  const int repetitions = std::max(1, absl::GetFlag(FLAGS_repetitions));
  const int calls = std::max(1, absl::GetFlag(FLAGS_queries));
  const uint64_t seed = absl::GetFlag(FLAGS_seed);

  const std::string dir = MakeScratch();
  std::filesystem::create_directories(dir);
  const ob::MachineInfo machine = ob::DescribeMachine(dir);
  Say(absl::StrCat("data in ", dir, " (", machine.filesystem, "), nproc ",
                   machine.nproc));

  // 1. The log.
  std::map<std::string, std::string> gen;
  // A log this run did not write is never removed.
  const bool remove_dir = !absl::GetFlag(FLAGS_keep) && !HoldsLog(dir);
  if (!absl::GetFlag(FLAGS_only).empty() && !HoldsLog(dir)) {
    Die("--only needs --dir naming a directory that holds a log");
  }
  if (HoldsLog(dir)) {
    Say("the directory holds a log: measuring it as it is");
  } else {
    Say(absl::StrCat("generating ", Thousands(absl::GetFlag(FLAGS_events)),
                     " events..."));
    gen = Generate(dir);
    Say(absl::StrCat("generated ", gen["events"], " events in ", gen["seconds"],
                     " s (", gen["reviews"], " reviews)"));
  }
  const bool settle =
      absl::GetFlag(FLAGS_settle) && absl::GetFlag(FLAGS_only).empty();
  double settle_log_seconds = 0, settle_snapshots_seconds = 0;
  if (settle) {
    settle_log_seconds = SettleStore(dir);
    Say(absl::StrFormat("compacted the store in %.1f s", settle_log_seconds));
  }
  const uint64_t disk_bytes = DirBytes(dir);

  // 2. Open (verifying the chain, as oversightd does by default).
  const auto open_started = Clock::now();
  es::RocksEventStore::Options store_options;
  absl::StatusOr<std::unique_ptr<es::RocksEventStore>> opened =
      es::RocksEventStore::Open(dir, store_options);
  if (!opened.ok()) Die(opened.status().ToString());
  const double open_seconds = Since(open_started);
  std::unique_ptr<es::RocksEventStore> store = *std::move(opened);
  const uint64_t head = store->Head().position;
  Say(absl::StrFormat("opened and verified %s events in %.1f s",
                      Thousands(head), open_seconds));

  if (const std::string only = absl::GetFlag(FLAGS_only); !only.empty()) {
    return RunOnly(only, store.get(), repetitions, calls, seed);
  }

  // 3. Scans and rebuilds, in rounds so that each pass sees the same
  // conditions.
  std::vector<double> log_scan, raw, parse, fold, fold_batched, rebuild,
      rebuild_wall, from_snap;
  std::vector<double> stop_seconds;
  uint64_t data_bytes = 0, applied = 0;
  Footprint footprint;
  std::vector<ReviewRef> reviews;
  QueryPlan plan;
  plan.position = head / 2;
  for (int r = 0; r < repetitions; ++r) {
    log_scan.push_back(Scan(store.get(), ScanMode::kLogScan).EventsPerSecond());
    ScanResult a = Scan(store.get(), ScanMode::kRaw);
    raw.push_back(a.EventsPerSecond());
    data_bytes = a.bytes;
    ScanResult b =
        Scan(store.get(), ScanMode::kParse, r == 0 ? &reviews : nullptr,
             plan.position, r == 0 ? &plan.date : nullptr);
    parse.push_back(b.EventsPerSecond());
    ScanResult c = Scan(store.get(), ScanMode::kFold, nullptr, 0, nullptr,
                        r == 0 ? &footprint : nullptr);
    fold.push_back(c.EventsPerSecond());
    fold_batched.push_back(
        Scan(store.get(), ScanMode::kFoldBatched).EventsPerSecond());
    sv::ProjectionHost::Options host_options;
    host_options.rebuild = true;
    host_options.snapshot_every = 0;
    const auto t = Clock::now();
    absl::StatusOr<std::unique_ptr<sv::ProjectionHost>> host =
        sv::ProjectionHost::Start(store.get(), store.get(), host_options);
    if (!host.ok()) Die(host.status().ToString());
    rebuild_wall.push_back(Since(t));
    const sv::ProjectionHost::StartInfo& info = (*host)->start_info();
    applied = info.events_applied;
    rebuild.push_back(info.events_applied /
                      absl::ToDoubleSeconds(info.catch_up_time));
    const auto s = Clock::now();
    if (absl::Status st = (*host)->Stop(); !st.ok()) Die(st.ToString());
    stop_seconds.push_back(Since(s));
    host->reset();
    Say(absl::StrFormat(
        "round %d: scan %s/s, raw %s/s, parse %s/s, fold %s/s, fold batched "
        "%s/s, "
        "rebuild %s/s (%s events in %.2f s; Start with its snapshot %.2f s)",
        r + 1, Thousands(log_scan.back()), Thousands(raw.back()),
        Thousands(parse.back()), Thousands(fold.back()),
        Thousands(fold_batched.back()), Thousands(rebuild.back()),
        Thousands(info.events_applied),
        absl::ToDoubleSeconds(info.catch_up_time), rebuild_wall.back()));
  }
  uint64_t snapshot_bytes = 0;
  if (auto snap = store->GetSnapshot(sv::kReadModelSnapshotName);
      snap.ok() && snap->has_value()) {
    snapshot_bytes = (*snap)->data.size();
  }
  for (int r = 0; r < repetitions; ++r) {
    sv::ProjectionHost::Options host_options;
    host_options.snapshot_every = 0;
    const auto t = Clock::now();
    absl::StatusOr<std::unique_ptr<sv::ProjectionHost>> host =
        sv::ProjectionHost::Start(store.get(), store.get(), host_options);
    if (!host.ok()) Die(host.status().ToString());
    from_snap.push_back(Since(t));
    if (!(*host)->start_info().from_snapshot) {
      Die("the host did not start from the snapshot: " +
          (*host)->start_info().why_rebuilt);
    }
    (*host)->Stop().IgnoreError();
    host->reset();
  }
  Say(absl::StrFormat("start from the snapshot (%s bytes): %s s",
                      Thousands(snapshot_bytes), Join(from_snap, "%.2f")));

  // 4. Queries against an in-process server.
  if (settle) {
    store->Close();
    store.reset();
    settle_snapshots_seconds = SettleStore(dir);
    Say(absl::StrFormat("compacted the store again in %.1f s",
                        settle_snapshots_seconds));
    // Verifying again, as oversightd does on start; it also reads every
    // record once, so the queries do not meet a cold store.
    absl::StatusOr<std::unique_ptr<es::RocksEventStore>> again =
        es::RocksEventStore::Open(dir, es::RocksEventStore::Options());
    if (!again.ok()) Die(again.status().ToString());
    store = *std::move(again);
  }
  for (const ReviewRef& ref : reviews) {
    plan.all.push_back(ref.id);
    if (ref.position <= plan.position) plan.by_position.push_back(ref.id);
    if (ref.occurred_at <= plan.date) plan.by_date.push_back(ref.id);
  }
  malloc_trim(0);
  const Memory before_server = MemoryOf("self");
  sv::ServerOptions server_options;
  server_options.listen = "127.0.0.1:0";
  server_options.insecure_identity_from_metadata = true;
  server_options.snapshots = store.get();
  server_options.projections.snapshot_every = 0;
  const auto server_started = Clock::now();
  absl::StatusOr<std::unique_ptr<sv::OversightServer>> server =
      sv::OversightServer::Start(server_options, store.get());
  if (!server.ok()) Die(server.status().ToString());
  const double server_seconds = Since(server_started);
  const Memory after_server = MemoryOf("self");
  Say(absl::StrFormat("server up in %.2f s; RSS %s before, %s after",
                      server_seconds, Mem(before_server.rss),
                      Mem(after_server.rss)));
  std::vector<QueryPoint> queries =
      RunAllQueries((*server)->address(), plan, calls, 10, seed);
  const Memory after_queries = MemoryOf("self");
  (*server)->Shutdown(absl::Seconds(5));
  server->reset();
  store->Close();
  store.reset();

  // 5. The real oversightd on the same data.
  std::vector<DaemonRun> daemons;
  const std::string binary = absl::GetFlag(FLAGS_oversightd);
  if (!binary.empty()) {
    for (const std::vector<std::string>& extra :
         std::vector<std::vector<std::string>>{{}, {"--rebuild"}}) {
      Say(absl::StrCat("starting oversightd ", absl::StrJoin(extra, " ")));
      // The full count against the server as it starts normally (the
      // figures of the aims); a quarter after a rebuild.
      daemons.push_back(
          RunDaemon(binary, dir, extra, plan,
                    extra.empty() ? calls : std::max(20, calls / 4), seed + 1));
      if (!daemons.back().ok) Say(daemons.back().error);
    }
  }

  // 6. The report.
  const double rebuild_median = Median(rebuild);
  // The limit: reading the log as the rebuild reads it, doing nothing.
  const double raw_median = Median(log_scan);
  // The as-at aims: against oversightd when it ran, and in-process.
  std::vector<std::pair<std::string, const QueryPoint*>> as_at_rows;
  if (!daemons.empty() && daemons[0].ok && daemons[0].queries.size() == 6) {
    as_at_rows.push_back({"`oversightd`", &daemons[0].queries[1]});
    as_at_rows.push_back({"`oversightd`", &daemons[0].queries[2]});
  }
  as_at_rows.push_back({"in-process server", &queries[1]});
  as_at_rows.push_back({"in-process server", &queries[2]});
  const uint64_t daemon_rss =
      !daemons.empty() && daemons[0].ok ? daemons[0].after_load.rss : 0;
  std::ostringstream md;
  md << "## Read models at " << Thousands(head) << " events\n\n";
  md << "Command: `" << absl::StrJoin(command_parts, " ") << "`, started "
     << started_at << ", " << absl::StrFormat("%.0f", Since(run_started))
     << " s in all.\n\n";
  md << "Machine: nproc **" << machine.nproc << "** (" << machine.cpu_model
     << "), " << machine.memory << " RAM, " << machine.kernel << "; data on "
     << machine.filesystem << "; load average at the start "
     << machine.load_average << ".\n\n";
  if (settle) {
    md << "The store was compacted (every column family, with its own "
          "options) after generating and again before the queries "
          "(`--settle`), so that no pass races RocksDB's background work.\n\n";
  }

  md << "### Summary against the aims\n\n";
  md << "| Figure | Measured | Aim | Met |\n|---|---:|---:|---|\n";
  md << "| Full rebuild of all projections (`ProjectionHost`, rebuild), "
        "median of "
     << repetitions << " | " << Thousands(rebuild_median)
     << " events/s | ≥ 300,000 events/s | " << Met(rebuild_median >= 300000)
     << " |\n";
  md << "| *the limit:* raw scan of the same data (`EventLog::Scan`, one "
        "iterator, as the rebuild reads), median | "
     << Thousands(raw_median) << " events/s | – | |\n";
  for (const auto& [server_name, q] : as_at_rows) {
    md << "| " << q->name << " " << q->as_of << ", " << server_name
       << ", p99 (p50) over " << q->ms.size() << " calls | "
       << absl::StrFormat("%.1f ms (%.1f ms)", q->Percentile(0.99),
                          q->Percentile(0.5))
       << " | ≤ 50 ms | "
       << Met(q->errors == 0 && !q->ms.empty() && q->Percentile(0.99) <= 50)
       << " |\n";
  }
  if (daemon_rss != 0) {
    md << "| `oversightd` resident memory after loading (VmRSS, from its "
          "snapshot) | "
       << Mem(daemon_rss) << " | ≤ 500 MB | " << Met(daemon_rss <= 500000000)
       << " |\n";
  }
  md << "\n";

  md << "### The log\n\n";
  md << "| events | reviews | agencies | programmes | event data | on disk | "
        "occurred | generated in |\n|---:|---:|---:|---:|---:|---:|---|---:|\n";
  auto g = [&](const char* k) {
    auto it = gen.find(k);
    return it == gen.end() ? std::string("?") : it->second;
  };
  md << "| " << Thousands(head) << " | " << Thousands(reviews.size()) << " | "
     << g("agencies") << " | " << g("programmes") << " | " << Mem(data_bytes)
     << " | " << Mem(disk_bytes) << " | " << g("first_occurred") << " to "
     << g("last_occurred") << " | ";
  if (gen.count("seconds")) {
    const double s = std::atof(gen["seconds"].c_str());
    md << absl::StrFormat("%.0f s (%s events/s; %.0f s planning and deciding)",
                          s, Thousands(head / s),
                          std::atof(gen["decide_seconds"].c_str()));
  } else {
    md << "(existing log)";
  }
  md << " |\n\n";
  if (!gen.empty()) {
    md << "Event mix (per review: over " << Thousands(reviews.size())
       << " reviews):\n\n| event | count | per review |\n|---|---:|---:|\n";
    std::vector<std::pair<uint64_t, std::string>> types;
    for (const auto& [k, v] : gen) {
      if (absl::StartsWith(k, "type.oversight.v1.")) {
        types.push_back({std::strtoull(v.c_str(), nullptr, 10), k.substr(18)});
      }
    }
    std::sort(types.rbegin(), types.rend());
    for (const auto& [n, type] : types) {
      md << "| " << type << " | " << Thousands(n) << " | "
         << absl::StrFormat(
                "%.1f",
                reviews.empty() ? 0.0 : static_cast<double>(n) / reviews.size())
         << " |\n";
    }
    std::vector<std::string> refused;
    for (const auto& [k, v] : gen) {
      if (absl::StartsWith(k, "refused.")) {
        refused.push_back(absl::StrCat(k.substr(8), " ", v));
      }
    }
    md << "\nPlanned commands the rules refused (skipped): "
       << (refused.empty() ? "none" : absl::StrJoin(refused, ", ")) << ".\n\n";
  }

  md << "### Rebuild against the raw scan\n\n";
  md << "| Pass over the whole log | events/s (median) | repetitions | "
        "vs raw scan |\n|---|---:|---|---:|\n";
  auto row = [&](const std::string& name, const std::vector<double>& v) {
    md << "| " << name << " | " << Thousands(Median(v)) << " | "
       << Join(v, "%.0f") << " | "
       << absl::StrFormat("%.2f", raw_median > 0 ? Median(v) / raw_median : 0)
       << " |\n";
  };
  row("raw scan: `EventLog::Scan`, one iterator (the limit)", log_scan);
  row("raw read: `ReadAll`, pages of 1,000", raw);
  row("pages + parse (`ToDomainEvent`)", parse);
  row("pages + decode + fold (`DecodeFoldEvent`, `ApplyFold` into a fresh "
      "`ProjectionState`, one thread, no host)",
      fold);
  row(absl::StrCat("pages + parse ", absl::GetFlag(FLAGS_fold_batch),
                   " events, then fold them (the host's old way; no host)"),
      fold_batched);
  row(absl::StrCat("full rebuild: `ProjectionHost::Start`, rebuild: "
                   "scan, decode and post the history on one thread, "
                   "fold the rest on another "
                   "(events_applied / catch_up_time; ",
                   Thousands(applied), " events)"),
      rebuild);
  md << "\n| Other | seconds (each repetition) |\n|---|---|\n";
  md << "| open the store, verifying the whole hash chain | "
     << absl::StrFormat("%.1f", open_seconds) << " |\n";
  md << "| `ProjectionHost::Start` rebuild, wall (catch-up + writing the "
        "snapshot) | "
     << Join(rebuild_wall, "%.2f") << " |\n";
  md << "| `ProjectionHost::Stop` (writes the snapshot again) | "
     << Join(stop_seconds, "%.2f") << " |\n";
  md << "| start from the snapshot (" << Mem(snapshot_bytes)
     << "): read, parse, catch up | " << Join(from_snap, "%.2f") << " |\n";
  if (settle) {
    md << "| compacting the store (every column family): after generating; "
          "before the queries | "
       << absl::StrFormat("%.1f; %.1f", settle_log_seconds,
                          settle_snapshots_seconds)
       << " |\n";
  }
  md << "| in-process `OversightServer::Start` (from the snapshot) | "
     << absl::StrFormat("%.2f", server_seconds) << " |\n\n";

  auto query_table = [&](const std::vector<QueryPoint>& qs) {
    md << "| Query | as at | p50 ms | p99 ms | mean ms | max ms | calls | "
          "errors | rows or items per answer |\n"
          "|---|---|---:|---:|---:|---:|---:|---:|---:|\n";
    for (const QueryPoint& q : qs) {
      md << "| " << q.name << " | " << q.as_of << " | "
         << absl::StrFormat("%.2f | %.2f | %.2f | %.2f", q.Percentile(0.5),
                            q.Percentile(0.99), q.Mean(),
                            q.ms.empty() ? 0.0 : q.ms.back())
         << " | " << q.ms.size() << " | " << q.errors
         << (q.first_error.empty() ? "" : " (" + q.first_error + ")") << " | "
         << absl::StrFormat("%.1f", q.mean_size) << " |\n";
    }
  };
  md << "### Queries\n\nOne client in this process, one call at a time, "
        "each for a random review (among those that existed at the moment "
        "asked), over gRPC on loopback; 10 unmeasured calls of each kind "
        "first.\n\n";
  if (!daemons.empty() && daemons[0].ok) {
    md << "Against `oversightd`, started on the data from its snapshot (the "
          "server as it runs):\n\n";
    query_table(daemons[0].queries);
    md << "\n";
  }
  md << "Against an in-process `OversightServer` started from the snapshot, "
        "in the process that has just run the rebuilds above:\n\n";
  query_table(queries);
  md << "\n";

  md << "### Resident memory\n\n| Process, moment | VmRSS | VmHWM (peak) |\n"
        "|---|---:|---:|\n";
  md << "| this process, before its server (after the scans, `malloc_trim`) "
        "| "
     << Mem(before_server.rss) << " | " << Mem(before_server.hwm) << " |\n";
  md << "| this process, its server started (read models loaded) | "
     << Mem(after_server.rss) << " | " << Mem(after_server.hwm) << " |\n";
  md << "| this process, after the queries | " << Mem(after_queries.rss)
     << " | " << Mem(after_queries.hwm) << " |\n";
  for (const DaemonRun& d : daemons) {
    const std::string name =
        absl::StrCat("`oversightd", d.flags.empty() ? "" : " " + d.flags, "`");
    if (!d.ok) {
      md << "| " << name << " | failed: " << d.error << " | |\n";
      continue;
    }
    md << "| " << name << ", listening ("
       << absl::StrFormat("%.1f s after exec", d.seconds_to_listen)
       << "; read models: " << d.read_models_line << ") | "
       << Mem(d.after_load.rss) << " | " << Mem(d.after_load.hwm) << " |\n";
    md << "| " << name << ", after " << d.queries.size() << "×"
       << (d.queries.empty() ? 0 : d.queries[0].ms.size()) << " queries | "
       << Mem(d.after_queries.rss) << " | " << Mem(d.after_queries.hwm)
       << " |\n";
  }
  md << "\nThe read models of the whole log, by protobuf's estimate "
        "(`SpaceUsedLong`, without the allocator's overhead): "
     << Mem(footprint.total) << " in all; the history "
     << Mem(footprint.history) << " (" << Thousands(footprint.history_keys)
     << " keys, " << Thousands(footprint.postings) << " postings); the reviews "
     << Mem(footprint.reviews) << " (" << Thousands(footprint.recommendations)
     << " recommendations, " << Thousands(footprint.updates)
     << " updates). The snapshot is " << Mem(snapshot_bytes) << ".\n\n";

  const std::string report = md.str();
  std::cout << report;
  const std::string out = absl::GetFlag(FLAGS_output_markdown);
  if (!out.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(
        std::filesystem::path(out).parent_path(), ec);
    std::ofstream file(out);
    file << report;
    if (file) {
      Say("wrote " + out);
    } else {
      Say("cannot write " + out);
    }
  }
  if (remove_dir) {
    ob::RemoveDir(dir);
  } else {
    Say("kept " + dir);
  }
  return 0;
}
