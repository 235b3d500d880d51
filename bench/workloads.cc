// Raw RocksDB and direct (in-process) RocksEventStore workloads, and the
// helpers every workload shares.

#include <cstdio>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench/workload_util.h"
#include "eventstore/errors.h"

namespace oversight::bench {

namespace es = ::oversight::eventstore;

const std::vector<std::string>& Payloads(size_t bytes) {
  static std::mutex mu;
  static std::vector<std::string>* payloads = nullptr;
  std::lock_guard<std::mutex> lock(mu);
  if (payloads == nullptr || (*payloads)[0].size() != bytes) {
    auto* fresh = new std::vector<std::string>();
    for (int i = 0; i < 64; ++i) fresh->push_back(RandomBytes(bytes, 7 + i));
    payloads = fresh;  // The previous pool is leaked on purpose: it may be
                       // in use by a thread still holding a reference.
  }
  return *payloads;
}

std::vector<es::ProposedEvent> MakeEvents(size_t bytes, int count,
                                          uint64_t* turn) {
  const std::vector<std::string>& payloads = Payloads(bytes);
  std::vector<es::ProposedEvent> events(count);
  for (es::ProposedEvent& e : events) {
    e.id = es::EventId::Random();
    e.type = kEventType;
    e.data = payloads[(*turn)++ % payloads.size()];
  }
  return events;
}

absl::StatusOr<std::unique_ptr<es::RocksEventStore>> OpenStore(
    const std::string& dir) {
  es::RocksEventStore::Options options;  // sync = true: as the server.
  return es::RocksEventStore::Open(dir, options);
}

std::string GroupNote(const es::RocksEventStore::Stats& before,
                      const es::RocksEventStore::Stats& after) {
  const uint64_t groups = after.groups - before.groups;
  if (groups == 0) return "";
  return absl::StrFormat("%.1f appends/commit",
                         double(after.appends - before.appends) / groups);
}

std::string JoinNote(const std::string& a, const std::string& b) {
  if (b.empty()) return a;
  if (a.empty()) return b;
  return absl::StrCat(a, "; ", b);
}

std::vector<Point> RunRounds(const WorkloadOptions& options,
                             const std::vector<PointSpec>& specs) {
  std::vector<std::vector<Point>> runs(specs.size());
  for (int r = 0; r < options.repetitions; ++r) {
    for (size_t i = 0; i < specs.size(); ++i) {
      const PointSpec& spec = specs[i];
      const std::string dir = FreshDir(options.scratch, spec.key);
      Point p = spec.run_once(dir);
      if (!options.keep_dirs) RemoveDir(dir);
      std::fprintf(stderr,
                   "  round %d  %-24s %9.0f events/s  p50 %7.2f ms  "
                   "p99 %7.2f ms  %6.0f CPU us/event  %s\n",
                   r + 1, spec.key.c_str(), p.events_per_sec, p.p50_ms,
                   p.p99_ms, p.cpu_us_per_event, p.note.c_str());
      runs[i].push_back(std::move(p));
    }
  }
  std::vector<Point> medians;
  for (size_t i = 0; i < specs.size(); ++i) {
    Point median = MedianPoint(runs[i]);
    median.key = specs[i].key;
    median.workload = specs[i].workload;
    median.variant = specs[i].variant;
    median.concurrency = specs[i].concurrency;
    medians.push_back(std::move(median));
  }
  return medians;
}

namespace {

LoopConfig Config(const WorkloadOptions& options, int threads) {
  LoopConfig config;
  config.threads = threads;
  config.warmup_seconds = options.warmup_seconds;
  config.duration_seconds = options.duration_seconds;
  return config;
}

std::string KindName(int events) {
  return events == 1 ? "single" : absl::StrCat("batch", events);
}

}  // namespace

PointSpec RawSpec(const WorkloadOptions& options, int threads,
                  int events_per_write) {
  const std::string key =
      absl::StrCat("raw.", KindName(events_per_write), ".", threads);
  const std::string workload =
      events_per_write == 1 ? "raw RocksDB synced write, 1 event"
                            : absl::StrCat("raw RocksDB synced WriteBatch, ",
                                           events_per_write, " events");
  const size_t value_bytes = RecordValueBytes(
      options.event_bytes, absl::StrCat("bench-", threads - 1), kEventType);
  PointSpec spec;
  spec.key = key;
  spec.workload = workload;
  spec.variant = absl::StrCat("shape ", RawShapeName(options.raw_shape));
  spec.concurrency = threads;
  spec.run_once = [options, threads, events_per_write,
                   value_bytes](const std::string& dir) {
    absl::StatusOr<std::unique_ptr<RawStore>> raw =
        RawStore::Open(dir, options.raw_shape, value_bytes);
    if (!raw.ok()) {
      Point p;
      p.note = std::string(raw.status().message());
      return p;
    }
    LoopResult r = RunClosedLoop(Config(options, threads), [&](int i) {
      auto writer = std::make_shared<RawStore::Writer>(
          (*raw)->NewWriter(absl::StrCat("bench-", i), 100 + i));
      return Operation([writer, events_per_write]() -> OpOutcome {
        absl::Status s = writer->Write(events_per_write);
        if (!s.ok()) {
          NoteError(std::string(s.message()));
          return {0, false};
        }
        return {static_cast<uint64_t>(events_per_write), true};
      });
    });
    return ToPoint(r);
  };
  return spec;
}

PointSpec DirectSpec(const WorkloadOptions& options, int threads,
                     int events_per_append) {
  const std::string key =
      absl::StrCat("direct.", KindName(events_per_append), ".", threads);
  const std::string workload = events_per_append == 1
                                   ? "RocksEventStore::Append, 1 event"
                                   : absl::StrCat("RocksEventStore::Append, ",
                                                  events_per_append, " events");
  PointSpec spec;
  spec.key = key;
  spec.workload = workload;
  spec.variant = "in-process, blocking";
  spec.concurrency = threads;
  spec.run_once = [options, threads,
                   events_per_append](const std::string& dir) {
    absl::StatusOr<std::unique_ptr<es::RocksEventStore>> store = OpenStore(dir);
    if (!store.ok()) {
      Point p;
      p.note = std::string(store.status().message());
      return p;
    }
    es::RocksEventStore* log = store->get();
    const es::RocksEventStore::Stats before = log->stats();
    LoopResult r = RunClosedLoop(Config(options, threads), [&](int i) {
      struct State {
        std::string stream;
        bool exists = false;
        es::Revision revision = 0;
        uint64_t turn = 0;
      };
      auto state = std::make_shared<State>();
      state->stream = absl::StrCat("bench-", i);
      state->turn = i;
      const size_t bytes = options.event_bytes;
      return Operation([log, state, bytes, events_per_append]() -> OpOutcome {
        absl::StatusOr<es::AppendResult> result = log->Append(
            state->stream,
            state->exists ? es::ExpectedRevision::Exact(state->revision)
                          : es::ExpectedRevision::NoStream(),
            MakeEvents(bytes, events_per_append, &state->turn));
        if (!result.ok()) {
          NoteError(result.status().ToString());
          // Resynchronise with the stream if our revision is stale.
          if (auto current = es::CurrentRevisionOf(result.status())) {
            state->exists = current->has_value();
            state->revision = current->value_or(0);
          }
          return {0, false};
        }
        state->exists = true;
        state->revision = result->last_revision;
        return {static_cast<uint64_t>(events_per_append), true};
      });
    });
    Point p = ToPoint(r);
    p.note = JoinNote(GroupNote(before, log->stats()), p.note);
    return p;
  };
  return spec;
}

}  // namespace oversight::bench
