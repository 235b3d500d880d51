// Reading the whole log through the gRPC server (ReadAll pages and a
// Subscribe catch-up) and in-process, on a log written for the purpose.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench/workload_util.h"
#include "grpcpp/grpcpp.h"
#include "oversight/v1/eventstore.grpc.pb.h"
#include "services/server.h"

namespace oversight::bench {

namespace es = ::oversight::eventstore;
namespace v1 = ::oversight::v1;

namespace {

using Clock = std::chrono::steady_clock;

// Reads one page from position `from`.
using PageReader = std::function<absl::StatusOr<std::pair<size_t, uint64_t>>(
    uint64_t from)>;  // -> {events in page, next position or 0 at the end}

// Reads the whole log page by page: events/s over the scan, and the p50
// and p99 latency of one page.
Point Scan(const PageReader& read_page, uint64_t expected_events) {
  Point p;
  LoopResult pages;
  uint64_t from = 1, events = 0;
  const Clock::time_point start = Clock::now();
  const double cpu_start = ProcessCpuSeconds();
  for (;;) {
    const Clock::time_point t0 = Clock::now();
    absl::StatusOr<std::pair<size_t, uint64_t>> page = read_page(from);
    pages.latency_us.push_back(
        std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    if (!page.ok()) {
      p.note = absl::StrCat("error: ", page.status().ToString());
      p.errors = 1;
      break;
    }
    events += page->first;
    if (page->second == 0) break;
    from = page->second;
  }
  const double seconds =
      std::chrono::duration<double>(Clock::now() - start).count();
  std::sort(pages.latency_us.begin(), pages.latency_us.end());
  p.events_per_sec = events / seconds;
  if (events > 0) {
    p.cpu_us_per_event = (ProcessCpuSeconds() - cpu_start) * 1e6 / events;
  }
  p.has_latency = true;
  p.p50_ms = pages.PercentileMs(0.5);
  p.p99_ms = pages.PercentileMs(0.99);
  if (events != expected_events && p.errors == 0) {
    p.errors = 1;
    p.note = absl::StrCat("error: read ", events, " events, expected ",
                          expected_events);
  }
  return p;
}

// Reads the whole log through Subscribe (server streaming, one event per
// message) until `caught_up`; latencies are not per page, so none.
Point SubscribeScan(v1::EventStore::Stub* stub, uint64_t expected_events) {
  Point p;
  const Clock::time_point start = Clock::now();
  const double cpu_start = ProcessCpuSeconds();
  grpc::ClientContext context;
  SetRawLogCall(&context);
  v1::SubscribeRequest request;
  request.set_from_position(1);
  std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>> reader =
      stub->Subscribe(&context, request);
  v1::SubscribeResponse message;
  uint64_t events = 0;
  bool caught_up = false;
  while (!caught_up && reader->Read(&message)) {
    if (message.has_event()) ++events;
    caught_up = message.has_caught_up() &&
                message.caught_up().head_position() >= expected_events;
  }
  const double seconds =
      std::chrono::duration<double>(Clock::now() - start).count();
  p.events_per_sec = events / seconds;
  if (events > 0) {
    p.cpu_us_per_event = (ProcessCpuSeconds() - cpu_start) * 1e6 / events;
  }
  context.TryCancel();
  reader->Finish().IgnoreError();
  if (events != expected_events) {
    p.errors = 1;
    p.note = absl::StrCat("error: received ", events, " events, expected ",
                          expected_events);
  }
  return p;
}

absl::Status Populate(es::RocksEventStore* log, uint64_t events, size_t bytes) {
  constexpr int kWriters = 2;
  constexpr uint64_t kBatch = 1000;  // kMaxBatchEvents
  std::vector<absl::Status> results(kWriters);
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      uint64_t mine = events / kWriters + (w < int(events % kWriters) ? 1 : 0);
      uint64_t turn = w;
      while (mine > 0) {
        const int n = static_cast<int>(std::min(mine, kBatch));
        absl::StatusOr<es::AppendResult> r =
            log->Append(absl::StrCat("read-", w), es::ExpectedRevision::Any(),
                        MakeEvents(bytes, n, &turn));
        if (!r.ok()) {
          results[w] = r.status();
          return;
        }
        mine -= n;
      }
    });
  }
  for (std::thread& t : writers) t.join();
  for (const absl::Status& s : results) {
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<Point> RunReadAll(const WorkloadOptions& options, uint64_t events,
                              int page) {
  const std::string dir = FreshDir(options.scratch, "read");
  std::vector<Point> direct_runs, grpc_runs, subscribe_runs;
  std::string setup_note;
  {
    absl::StatusOr<std::unique_ptr<es::RocksEventStore>> store = OpenStore(dir);
    if (!store.ok()) {
      Point p;
      p.note = std::string(store.status().message());
      direct_runs.push_back(p);
      grpc_runs.push_back(p);
      subscribe_runs.push_back(p);
    } else {
      es::RocksEventStore* log = store->get();
      const Clock::time_point t0 = Clock::now();
      absl::Status s = Populate(log, events, options.event_bytes);
      const double populate_s =
          std::chrono::duration<double>(Clock::now() - t0).count();
      setup_note = s.ok()
                       ? absl::StrFormat("log of %d events written in %.1f s",
                                         events, populate_s)
                       : absl::StrCat("error: populating: ", s.ToString());
      std::fprintf(stderr, "  %s\n", setup_note.c_str());

      PageReader direct =
          [&](uint64_t from) -> absl::StatusOr<std::pair<size_t, uint64_t>> {
        absl::StatusOr<es::ReadResult> r =
            log->ReadAll(from, es::Direction::kForwards, page, {});
        if (!r.ok()) return r.status();
        return std::make_pair(r->events.size(),
                              r->end_reached ? uint64_t{0} : r->next);
      };
      absl::StatusOr<std::unique_ptr<services::OversightServer>> server =
          StartServer(log);
      std::unique_ptr<v1::EventStore::Stub> stub;
      if (server.ok()) {
        stub = v1::EventStore::NewStub(NewChannel((*server)->address(), true));
      }
      PageReader remote =
          [&](uint64_t from) -> absl::StatusOr<std::pair<size_t, uint64_t>> {
        if (stub == nullptr) return server.status();
        grpc::ClientContext context;
        SetRawLogCall(&context);
        v1::ReadAllRequest request;
        request.set_from_position(from);
        request.set_direction(v1::READ_DIRECTION_FORWARDS);
        request.set_max_count(page);
        v1::ReadAllResponse response;
        grpc::Status gs = stub->ReadAll(&context, request, &response);
        if (!gs.ok()) return absl::UnavailableError(GrpcError(gs));
        return std::make_pair(
            static_cast<size_t>(response.events_size()),
            response.end_of_log() ? uint64_t{0} : response.next_position());
      };
      // One untimed pass so that both readers see the same warm caches.
      Scan(direct, events);
      const uint64_t head = log->Head().position;
      for (int r = 0; r < options.repetitions; ++r) {
        direct_runs.push_back(Scan(direct, head));
        grpc_runs.push_back(Scan(remote, head));
        // Once: it is slow, and only a comparison.
        if (stub != nullptr && r == 0) {
          subscribe_runs.push_back(SubscribeScan(stub.get(), head));
        }
        std::fprintf(stderr,
                     "  read rep %d: direct %9.0f events/s, gRPC ReadAll "
                     "%9.0f events/s, gRPC Subscribe %9.0f events/s %s\n",
                     r + 1, direct_runs.back().events_per_sec,
                     grpc_runs.back().events_per_sec,
                     r == 0 && !subscribe_runs.empty()
                         ? subscribe_runs.back().events_per_sec
                         : 0.0,
                     grpc_runs.back().note.c_str());
      }
      if (server.ok()) (*server)->Shutdown(absl::Seconds(1));
    }
  }
  if (!options.keep_dirs) RemoveDir(dir);

  Point direct = MedianPoint(direct_runs);
  direct.key = "read.direct";
  direct.workload = "RocksEventStore::ReadAll, whole log";
  direct.variant = absl::StrCat("in-process, pages of ", page);
  direct.note = JoinNote(setup_note, direct.note);
  Point remote = MedianPoint(grpc_runs);
  remote.key = "read.grpc";
  remote.workload = "gRPC ReadAll, whole log";
  remote.variant = absl::StrCat("1 client, pages of ", page);
  remote.note = JoinNote(setup_note, remote.note);
  std::vector<Point> out = {direct, remote};
  if (!subscribe_runs.empty()) {
    Point sub = MedianPoint(subscribe_runs);
    sub.key = "read.subscribe";
    sub.workload = "gRPC Subscribe from 1 until caught up";
    sub.variant = "1 client, server streaming (measured once)";
    sub.note = JoinNote(setup_note, sub.note);
    out.push_back(sub);
  }
  return out;
}

}  // namespace oversight::bench
