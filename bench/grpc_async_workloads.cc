// gRPC appends from clients that keep many calls in flight on a few
// threads, with gRPC's completion-queue client API: `calls` concurrent
// appends (each lane its own stream, exact expected revision) driven by
// `drivers` threads. This is how a busy producer (an importer, a gateway)
// talks to a server; it separates the server's cost per append from the
// cost of one blocked client thread per call.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "bench/workload_util.h"
#include "grpcpp/grpcpp.h"
#include "oversight/v1/eventstore.grpc.pb.h"

namespace oversight::bench {
namespace {

namespace es = ::oversight::eventstore;
namespace v1 = ::oversight::v1;
using Clock = std::chrono::steady_clock;

struct Lane {
  std::string stream;
  bool exists = false;
  uint64_t revision = 0;
  uint64_t turn = 0;
  // The call in flight.
  std::unique_ptr<grpc::ClientContext> context;
  v1::AppendRequest request;
  v1::AppendResponse response;
  grpc::Status status;
  std::unique_ptr<grpc::ClientAsyncResponseReader<v1::AppendResponse>> rpc;
  Clock::time_point started;
};

struct DriverResult {
  uint64_t events = 0, ops = 0, errors = 0;
  std::vector<double> latency_us;
};

void StartCall(v1::EventStore::Stub* stub, grpc::CompletionQueue* cq,
               Lane* lane, size_t bytes, int events) {
  const std::vector<std::string>& payloads = Payloads(bytes);
  lane->request.Clear();
  lane->request.set_stream(lane->stream);
  if (lane->exists) {
    lane->request.set_expected_kind(v1::EXPECTED_REVISION_KIND_EXACT);
    lane->request.set_expected_revision(lane->revision);
  } else {
    lane->request.set_expected_kind(v1::EXPECTED_REVISION_KIND_NO_STREAM);
  }
  for (int i = 0; i < events; ++i) {
    v1::ProposedEvent* e = lane->request.add_events();
    e->set_event_id(es::EventId::Random().ToString());
    e->set_type(kEventType);
    e->set_data(payloads[lane->turn++ % payloads.size()]);
  }
  lane->context = std::make_unique<grpc::ClientContext>();
  SetRawLogCall(lane->context.get());
  lane->started = Clock::now();
  lane->rpc = stub->AsyncAppend(lane->context.get(), lane->request, cq);
  lane->rpc->Finish(&lane->response, &lane->status, lane);
}

}  // namespace

PointSpec GrpcAsyncSpec(const WorkloadOptions& options, int calls, int drivers,
                        int events_per_append) {
  PointSpec spec;
  spec.key = absl::StrCat(
      "grpc_async.", events_per_append == 1 ? "single" : "batch", ".", calls);
  spec.workload = events_per_append == 1
                      ? "gRPC Append, 1 event, async client"
                      : absl::StrCat("gRPC Append, ", events_per_append,
                                     " events, async client");
  spec.variant = absl::StrCat(calls, " calls in flight on ", drivers,
                              " client thread", drivers > 1 ? "s" : "");
  spec.concurrency = calls;
  spec.run_once = [options, calls, drivers,
                   events_per_append](const std::string& dir) {
    Point failed;
    auto store = OpenStore(dir);
    if (!store.ok()) {
      failed.note = std::string(store.status().message());
      return failed;
    }
    auto server = StartServer(store->get());
    if (!server.ok()) {
      failed.note = std::string(server.status().message());
      return failed;
    }
    const es::RocksEventStore::Stats before = (*store)->stats();
    const auto start = Clock::now();
    const auto window_start =
        start + std::chrono::duration_cast<Clock::duration>(
                    std::chrono::duration<double>(options.warmup_seconds));
    const auto window_end =
        window_start +
        std::chrono::duration_cast<Clock::duration>(
            std::chrono::duration<double>(options.duration_seconds));
    std::atomic<double> cpu_at_start{0};
    std::vector<DriverResult> results(drivers);
    std::vector<std::thread> threads;
    const std::string address = (*server)->address();
    for (int d = 0; d < drivers; ++d) {
      threads.emplace_back([&, d] {
        auto stub = v1::EventStore::NewStub(NewChannel(address, true));
        grpc::CompletionQueue cq;
        const int lanes = calls / drivers + (d < calls % drivers ? 1 : 0);
        std::vector<Lane> lane(lanes);
        for (int i = 0; i < lanes; ++i) {
          lane[i].stream = absl::StrCat("async-", d, "-", i);
          StartCall(stub.get(), &cq, &lane[i], options.event_bytes,
                    events_per_append);
        }
        int in_flight = lanes;
        DriverResult& r = results[d];
        void* tag;
        bool ok;
        while (in_flight > 0 && cq.Next(&tag, &ok)) {
          Lane* l = static_cast<Lane*>(tag);
          const auto now = Clock::now();
          if (l->status.ok()) {
            l->exists = true;
            l->revision = l->response.last_revision();
          }
          if (now >= window_start && now < window_end) {
            ++r.ops;
            if (l->status.ok()) {
              r.events += events_per_append;
            } else {
              ++r.errors;
            }
            r.latency_us.push_back(
                std::chrono::duration<double, std::micro>(now - l->started)
                    .count());
          }
          if (now >= window_end) {
            --in_flight;
            continue;
          }
          StartCall(stub.get(), &cq, l, options.event_bytes, events_per_append);
        }
        cq.Shutdown();
        while (cq.Next(&tag, &ok)) {
        }
      });
    }
    std::this_thread::sleep_until(window_start);
    const double cpu0 = ProcessCpuSeconds();
    std::this_thread::sleep_until(window_end);
    const double cpu1 = ProcessCpuSeconds();
    for (auto& t : threads) t.join();
    LoopResult total;
    total.seconds = options.duration_seconds;
    total.cpu_seconds = cpu1 - cpu0;
    for (DriverResult& r : results) {
      total.events += r.events;
      total.ops += r.ops;
      total.errors += r.errors;
      total.latency_us.insert(total.latency_us.end(), r.latency_us.begin(),
                              r.latency_us.end());
    }
    std::sort(total.latency_us.begin(), total.latency_us.end());
    Point p = ToPoint(total);
    p.note = GroupNote(before, (*store)->stats());
    (*server)->Shutdown(absl::Seconds(1));
    return p;
  };
  return spec;
}

}  // namespace oversight::bench
