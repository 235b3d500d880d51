// crash_child: appends to a RocksEventStore from several threads until it
// is killed, reporting every append on stdout (protocol in
// crash_protocol.h). Started and SIGKILLed over and over by crash_test.
//
// Usage:
//   crash_child <data-dir> <seed> [--threads=N] [--retry=FILE]
//               [--max-seconds=S]
//
//   --threads      synchronous appender threads (default 4); one more
//                  thread keeps up to 16 appends in flight with AppendAsync,
//                  so that commit groups hold many appends.
//   --retry        a file of batches ("<stream> <ids>" per line) that an
//                  earlier child began but never saw acknowledged; each is
//                  re-sent first, as a client would after losing its
//                  connection. The parent knows whether each was stored and
//                  checks the answer (deduplicated or freshly written).
//   --max-seconds  give up and exit with status 3 after this long (default
//                  60), so that a child whose parent vanished does not run
//                  forever.
//
// The store is opened with the default options (sync = true) except
// verify_on_open = false: the parent verifies the whole chain after every
// round, and verifying in the child too would spend the child's short life
// hashing instead of appending once the log grows.
//
// Exit status: 0 never (the child is meant to be killed), 2 when the store
// cannot be opened or the arguments are wrong, 3 after --max-seconds.

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "eventstore/errors.h"
#include "eventstore/rocks_event_store.h"
#include "tests/crash/crash_protocol.h"

namespace oversight::crash {
namespace {

using eventstore::AppendResult;
using eventstore::Direction;
using eventstore::ExpectedRevision;
using eventstore::RocksEventStore;

constexpr int kOut = STDOUT_FILENO;

std::atomic<bool> stop{false};

void Report(absl::string_view line) { WriteLine(kOut, line); }

void ReportAck(absl::string_view stream, const AppendResult& r,
               absl::string_view ids) {
  Report(absl::StrCat("A ", stream, " ", r.first_position, " ", r.last_position,
                      " ", r.first_revision, " ", r.last_revision, " ",
                      r.deduplicated ? 1 : 0, " ", ids));
}

void ReportProblem(absl::string_view what) {
  // Newlines would break the line protocol.
  std::string text(what);
  for (char& c : text) {
    if (c == '\n') c = ' ';
  }
  Report(absl::StrCat("X ", text));
}

std::vector<ProposedEvent> EventsFor(const std::vector<EventId>& ids) {
  std::vector<ProposedEvent> events;
  events.reserve(ids.size());
  for (const EventId& id : ids) events.push_back(EventFor(id));
  return events;
}

// The last revision of `stream` (nullopt: no such stream).
std::optional<Revision> LastRevision(RocksEventStore& store,
                                     const std::string& stream) {
  absl::StatusOr<eventstore::ReadResult> r =
      store.ReadStream(stream, eventstore::kFromEnd, Direction::kBackwards, 1);
  if (!r.ok() || r->events.empty()) return std::nullopt;
  return r->events.front().revision;
}

// One synchronous appender thread.
class Appender {
 public:
  Appender(RocksEventStore& store, int thread, uint64_t seed)
      : store_(store), thread_(thread), rng_(seed * 1000003 + thread) {
    for (int k = 0; k < kOwnedStreamsPerThread; ++k) {
      owned_[k] = LastRevision(store_, OwnedStream(thread_, k));
    }
  }

  void Run() {
    while (!stop.load(std::memory_order_relaxed)) Step();
  }

 private:
  struct Acked {
    std::string stream;
    ExpectedRevision expected = ExpectedRevision::Any();
    std::vector<EventId> ids;
    AppendResult result;
  };

  std::vector<EventId> NewIds(size_t n) {
    std::vector<EventId> ids;
    for (size_t i = 0; i < n; ++i) ids.push_back(IdFrom(rng_));
    return ids;
  }

  void Step() {
    const int dice = static_cast<int>(rng_() % 100);
    if (dice >= 85 && !history_.empty()) {
      // Retry an acknowledged append with its (now stale) expectation: the
      // ids are stored, so the log must answer with the same positions.
      const Acked& old = history_[rng_() % history_.size()];
      Append(old.stream, old.expected, old.ids, /*owned=*/-1, /*shared=*/-1,
             &old);
      return;
    }
    if (dice >= 50 && dice < 85) {
      const int k = static_cast<int>(rng_() % kOwnedStreamsPerThread);
      const size_t n = rng_() % 2 == 0 ? 1 : 2 + rng_() % 4;
      const ExpectedRevision expected =
          owned_[k].has_value() ? ExpectedRevision::Exact(*owned_[k])
                                : ExpectedRevision::NoStream();
      Append(OwnedStream(thread_, k), expected, NewIds(n), k, -1, nullptr);
      return;
    }
    const int k = static_cast<int>(rng_() % kSharedStreams);
    if (dice < 35) {
      Append(SharedStream(k), ExpectedRevision::Any(), NewIds(1), -1, k,
             nullptr);
      return;
    }
    // A small batch to a shared stream, expecting the revision this thread
    // last saw there; another thread may have moved it on (ABORTED).
    ExpectedRevision expected = ExpectedRevision::Any();
    if (shared_[k].has_value()) {
      expected = shared_[k]->has_value() ? ExpectedRevision::Exact(**shared_[k])
                                         : ExpectedRevision::NoStream();
    }
    Append(SharedStream(k), expected, NewIds(2 + rng_() % 4), -1, k, nullptr);
  }

  void Append(const std::string& stream, ExpectedRevision expected,
              const std::vector<EventId>& ids, int owned, int shared,
              const Acked* retry_of) {
    const std::string joined = JoinIds(ids);
    Report(absl::StrCat("B ", stream, " ", joined));
    absl::StatusOr<AppendResult> r =
        store_.Append(stream, expected, EventsFor(ids));
    if (r.ok()) {
      ReportAck(stream, *r, joined);
      if (retry_of != nullptr) {
        const AppendResult& o = retry_of->result;
        if (!r->deduplicated || r->first_position != o.first_position ||
            r->last_position != o.last_position ||
            r->first_revision != o.first_revision ||
            r->last_revision != o.last_revision) {
          ReportProblem(absl::StrCat(
              "retry of ", joined, " answered positions ", r->first_position,
              "..", r->last_position, " dedup=", r->deduplicated,
              "; originally ", o.first_position, "..", o.last_position));
        }
        return;
      }
      if (r->deduplicated) {
        ReportProblem(absl::StrCat("fresh batch ", joined, " deduplicated"));
      }
      if (owned >= 0) owned_[owned] = r->last_revision;
      if (shared >= 0)
        shared_[shared] = std::optional<Revision>(r->last_revision);
      history_.push_back(Acked{stream, expected, ids, *r});
      if (history_.size() > 64) history_.erase(history_.begin());
      return;
    }
    if (absl::IsAborted(r.status())) {
      Report(absl::StrCat(
          "F ", stream, " ",
          eventstore::ReasonOf(r.status()).value_or("NO_REASON"), " ", joined));
      if (owned >= 0) {
        ReportProblem(absl::StrCat("conflict on owned stream ", stream, ": ",
                                   r.status().ToString()));
      }
      if (shared >= 0) {
        if (auto current = eventstore::CurrentRevisionOf(r.status())) {
          shared_[shared] = *current;
        } else {
          shared_[shared].reset();
        }
      }
      return;
    }
    ReportProblem(absl::StrCat("append of ", joined, " to ", stream,
                               " failed: ", r.status().ToString()));
  }

  RocksEventStore& store_;
  const int thread_;
  std::mt19937_64 rng_;
  std::optional<Revision> owned_[kOwnedStreamsPerThread];
  // Outer nullopt: not known; inner nullopt: known not to exist.
  std::optional<std::optional<Revision>> shared_[kSharedStreams];
  std::vector<Acked> history_;
};

// Keeps up to kMaxInFlight appends queued with AppendAsync, so that the
// writer thread builds commit groups of many appends.
void PipelinedAppender(RocksEventStore& store, uint64_t seed) {
  constexpr int kMaxInFlight = 16;
  std::mt19937_64 rng(seed * 7919 + 12345);
  absl::Mutex mu;
  int in_flight = 0;
  while (!stop.load(std::memory_order_relaxed)) {
    {
      absl::MutexLock lock(&mu);
      mu.Await(absl::Condition(
          +[](int* n) { return *n < kMaxInFlight; }, &in_flight));
      ++in_flight;
    }
    const std::string stream =
        SharedStream(static_cast<int>(rng() % kSharedStreams));
    std::vector<EventId> ids;
    const size_t n = 1 + rng() % 3;
    for (size_t i = 0; i < n; ++i) ids.push_back(IdFrom(rng));
    std::string joined = JoinIds(ids);
    Report(absl::StrCat("B ", stream, " ", joined));
    store.AppendAsync(
        stream, ExpectedRevision::Any(), EventsFor(ids),
        [&mu, &in_flight, stream,
         joined = std::move(joined)](absl::StatusOr<AppendResult> r) {
          if (r.ok()) {
            ReportAck(stream, *r, joined);
          } else {
            ReportProblem(absl::StrCat("async append of ", joined,
                                       " failed: ", r.status().ToString()));
          }
          absl::MutexLock lock(&mu);
          --in_flight;
        });
  }
  absl::MutexLock lock(&mu);
  mu.Await(absl::Condition(
      +[](int* n) { return *n == 0; }, &in_flight));
}

// Re-sends batches an earlier child began but never saw acknowledged.
void RetryUnresolved(RocksEventStore& store, const std::string& path) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::vector<std::string> f = absl::StrSplit(line, ' ');
    std::optional<std::vector<EventId>> ids;
    if (f.size() == 2) ids = SplitIds(f[1]);
    if (!ids.has_value()) {
      ReportProblem(absl::StrCat("bad retry line: ", line));
      continue;
    }
    Report(absl::StrCat("B ", f[0], " ", f[1]));
    absl::StatusOr<AppendResult> r =
        store.Append(f[0], ExpectedRevision::Any(), EventsFor(*ids));
    if (r.ok()) {
      ReportAck(f[0], *r, f[1]);
    } else {
      ReportProblem(
          absl::StrCat("retry of ", f[1], " failed: ", r.status().ToString()));
    }
  }
}

int Main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: crash_child <data-dir> <seed> [--threads=N] "
                 "[--retry=FILE] [--max-seconds=S]\n");
    return 2;
  }
  const std::string dir = argv[1];
  uint64_t seed = 0;
  int threads = 4;
  int max_seconds = 60;
  std::string retry_file;
  bool args_ok = absl::SimpleAtoi(argv[2], &seed);
  for (int i = 3; i < argc && args_ok; ++i) {
    absl::string_view arg = argv[i];
    if (absl::ConsumePrefix(&arg, "--threads=")) {
      args_ok = absl::SimpleAtoi(arg, &threads) && threads >= 1;
    } else if (absl::ConsumePrefix(&arg, "--max-seconds=")) {
      args_ok = absl::SimpleAtoi(arg, &max_seconds) && max_seconds >= 1;
    } else if (absl::ConsumePrefix(&arg, "--retry=")) {
      retry_file = std::string(arg);
    } else {
      args_ok = false;
    }
  }
  if (!args_ok) {
    std::fprintf(stderr, "crash_child: bad arguments\n");
    return 2;
  }

  RocksEventStore::Options options;
  options.verify_on_open = false;
  absl::StatusOr<std::unique_ptr<RocksEventStore>> opened =
      RocksEventStore::Open(dir, options);
  if (!opened.ok()) {
    ReportProblem(absl::StrCat("open failed: ", opened.status().ToString()));
    std::fprintf(stderr, "crash_child: %s\n",
                 opened.status().ToString().c_str());
    return 2;
  }
  RocksEventStore& store = **opened;
  Report(absl::StrCat("O ", store.Head().position));

  if (!retry_file.empty()) RetryUnresolved(store, retry_file);

  std::vector<std::unique_ptr<Appender>> appenders;
  for (int t = 0; t < threads; ++t) {
    appenders.push_back(std::make_unique<Appender>(store, t, seed));
  }
  std::vector<std::thread> running;
  for (auto& a : appenders) running.emplace_back([&a] { a->Run(); });
  running.emplace_back([&store, seed] { PipelinedAppender(store, seed); });

  absl::SleepFor(absl::Seconds(max_seconds));
  stop.store(true);
  for (std::thread& t : running) t.join();
  store.Close();
  return 3;
}

}  // namespace
}  // namespace oversight::crash

int main(int argc, char** argv) { return oversight::crash::Main(argc, argv); }
