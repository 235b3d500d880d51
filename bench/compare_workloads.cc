#include "bench/compare_workloads.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/blocking_counter.h"
#include "absl/synchronization/mutex.h"
#include "bench/daemon.h"
#include "bench/pg_store.h"
#include "bench/raw_rocks.h"
#include "bench/workload_util.h"
#include "grpcpp/grpcpp.h"
#include "oversight/v1/eventstore.grpc.pb.h"

namespace oversight::bench {

namespace es = ::oversight::eventstore;
namespace v1 = ::oversight::v1;

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kPopulateBatch = 1000;

double SecondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

int64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             Clock::now().time_since_epoch())
      .count();
}

Point Failed(const std::string& why) {
  Point p;
  p.note = absl::StrCat("error: ", why);
  std::fprintf(stderr, "  %s\n", p.note.c_str());
  return p;
}

// The median of `seconds` timed reads of `events` events as a point.
Point ReadPoint(uint64_t events, std::vector<double> seconds,
                const std::string& note) {
  Point p;
  std::sort(seconds.begin(), seconds.end());
  const double median = seconds[seconds.size() / 2];
  p.events_per_sec = median > 0 ? static_cast<double>(events) / median : 0;
  for (double s : seconds) {
    p.repetitions.push_back(s > 0 ? static_cast<double>(events) / s : 0);
  }
  p.note = note;
  return p;
}

// One unary Append of `events` events to the client's own stream with the
// exact expected revision.
class OversightAppender {
 public:
  OversightAppender(const std::shared_ptr<grpc::Channel>& channel,
                    std::string stream)
      : stub_(v1::EventStore::NewStub(channel)), stream_(std::move(stream)) {}

  // Appends one event per element of `data`.
  absl::Status Append(const std::vector<absl::string_view>& data) {
    v1::AppendRequest request;
    request.set_stream(stream_);
    if (exists_) {
      request.set_expected_kind(v1::EXPECTED_REVISION_KIND_EXACT);
      request.set_expected_revision(revision_);
    } else {
      request.set_expected_kind(v1::EXPECTED_REVISION_KIND_NO_STREAM);
    }
    for (absl::string_view d : data) {
      v1::ProposedEvent* e = request.add_events();
      e->set_type(kEventType);
      e->set_event_id(es::EventId::Random().ToString());
      e->set_data(std::string(d));
    }
    grpc::ClientContext context;
    SetRawLogCall(&context);
    v1::AppendResponse response;
    grpc::Status s = stub_->Append(&context, request, &response);
    if (!s.ok()) return absl::UnavailableError(GrpcError(s));
    exists_ = true;
    revision_ = response.last_revision();
    return absl::OkStatus();
  }

 private:
  std::unique_ptr<v1::EventStore::Stub> stub_;
  std::string stream_;
  bool exists_ = false;
  uint64_t revision_ = 0;
};

// ------------------------------------------------------------------ lag

// What the subscribers of a lag run gather, and the window they judge by.
class LagBook {
 public:
  LagBook(int subscribers, double warmup, double duration)
      : per_subscriber_(subscribers) {
    const int64_t now = NowNanos();
    window_from_ = now + static_cast<int64_t>(warmup * 1e9);
    window_to_ = window_from_ + static_cast<int64_t>(duration * 1e9);
  }

  // Whether an event's stamp (the time it was sent, in its first 8 bytes)
  // falls in the window: then its append, once acknowledged, is counted
  // as expected, and its deliveries in the lags.
  bool InWindow(int64_t stamp) const {
    return stamp >= window_from_ && stamp < window_to_;
  }
  void Appended() { appended_.fetch_add(1, std::memory_order_relaxed); }
  uint64_t appended() const { return appended_.load(); }

  // Subscriber `i` received an event with this data.
  void Delivered(int i, absl::string_view data) {
    if (data.size() < 8) return;
    received_.fetch_add(1, std::memory_order_relaxed);
    int64_t stamp;
    std::memcpy(&stamp, data.data(), 8);
    if (!InWindow(stamp)) return;
    per_subscriber_[i].push_back(static_cast<double>(NowNanos() - stamp) / 1e3);
    delivered_.fetch_add(1, std::memory_order_relaxed);
  }
  // Subscriber `i` received `response`: each event it carries.
  void Delivered(int i, const v1::SubscribeResponse& response) {
    if (response.has_event()) Delivered(i, response.event().data());
    for (const v1::RecordedEvent& e : response.events()) {
      Delivered(i, e.data());
    }
  }
  uint64_t delivered() const { return delivered_.load(); }
  // Every delivery, in the window or not.
  uint64_t received() const { return received_.load(); }

  // Waits until every expected delivery arrived, or `seconds` passed.
  void AwaitDeliveries(uint64_t expected, double seconds) {
    const Clock::time_point t0 = Clock::now();
    while (delivered() < expected && SecondsSince(t0) < seconds) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  Point Result(int subscribers, const LoopResult& loop) {
    std::vector<double> all;
    for (std::vector<double>& v : per_subscriber_) {
      all.insert(all.end(), v.begin(), v.end());
    }
    std::sort(all.begin(), all.end());
    LoopResult lags;
    lags.latency_us = std::move(all);
    Point p;
    p.events_per_sec = loop.EventsPerSecond();
    p.has_latency = !lags.latency_us.empty();
    p.p50_ms = lags.PercentileMs(0.5);
    p.p99_ms = lags.PercentileMs(0.99);
    p.errors = loop.errors;
    const uint64_t expected = appended() * static_cast<uint64_t>(subscribers);
    p.note = absl::StrFormat("%d of %d deliveries", delivered(), expected);
    if (!loop.first_error.empty()) {
      p.note = JoinNote(p.note, loop.first_error);
    }
    return p;
  }

 private:
  // Each written for its subscriber alone, by its thread or by its
  // reactor's callbacks (one at a time), and read after they end.
  std::vector<std::vector<double>> per_subscriber_;
  int64_t window_from_ = 0;
  int64_t window_to_ = 0;
  std::atomic<uint64_t> appended_{0};
  std::atomic<uint64_t> delivered_{0};
  std::atomic<uint64_t> received_{0};
};

// Stamped data for one event: the send time in the first 8 bytes of one
// of the random payloads.
std::string Stamped(size_t bytes, uint64_t turn, int64_t* stamp) {
  const std::vector<std::string>& payloads = Payloads(bytes);
  std::string data = payloads[turn % payloads.size()];
  if (data.size() < 8) data.resize(8);
  *stamp = NowNanos();
  std::memcpy(data.data(), stamp, 8);
  return data;
}

// An operation that fails with `status` every time: a client that could
// not connect.
Operation Failing(const absl::Status& status) {
  const std::string error = status.ToString();
  return [error]() -> OpOutcome {
    NoteError(error);
    return {0, false};
  };
}

// What appends one event with the given data, for one appending client.
using AppendData = std::function<absl::Status(absl::string_view data)>;

// The appending side of a lag run, once the subscribers are ready (waited
// for since `wait`): `lag.appenders` clients append stamped single events
// through what `make(i)` builds (null: client i could not start, with
// the reason in `why`), counting in `book` those sent in its window.
LoopResult RunStampedAppends(
    const CompareOptions& options, const LagOptions& lag, LagBook* book,
    Clock::time_point wait,
    const std::function<AppendData(int i, absl::Status* why)>& make) {
  // The window starts a second after the book was made: the warm-up
  // begins when the subscribers are ready, within that second.
  LoopConfig config;
  config.threads = lag.appenders;
  config.warmup_seconds =
      options.base.warmup_seconds + 1 - std::min(1.0, SecondsSince(wait));
  config.duration_seconds = options.base.duration_seconds;
  const size_t bytes = options.base.event_bytes;
  return RunClosedLoop(config, [&](int i) -> Operation {
    absl::Status why;
    AppendData append = make(i, &why);
    if (append == nullptr) return Failing(why);
    auto turn = std::make_shared<uint64_t>(i);
    return [book, append, turn, bytes]() -> OpOutcome {
      int64_t stamp;
      const std::string data = Stamped(bytes, (*turn)++, &stamp);
      absl::Status s = append(data);
      if (!s.ok()) {
        NoteError(s.ToString());
        return {0, false};
      }
      if (book->InWindow(stamp)) book->Appended();
      return {1, true};
    };
  });
}

// One subscriber of a lag run on gRPC's callback API: it reads from its
// own stream until cancelled, and hands each event to the book. gRPC
// runs one OnReadDone at a time for a reactor, so `book` sees subscriber
// `index` from one callback at a time.
class CallbackSubscriber final
    : public grpc::ClientReadReactor<v1::SubscribeResponse> {
 public:
  // `done` is counted down when gRPC is done with the reactor.
  CallbackSubscriber(int index, LagBook* book, std::atomic<int>* ready,
                     absl::BlockingCounter* done)
      : index_(index), book_(book), ready_(ready), done_(done) {}

  grpc::ClientContext* context() { return &context_; }

  void Start(v1::EventStore::Stub* stub, const v1::SubscribeRequest& request) {
    request_ = request;
    stub->async()->Subscribe(&context_, &request_, this);
    StartRead(&response_);
    StartCall();
  }

  void OnReadDone(bool ok) override {
    if (!ok) return;  // OnDone follows.
    if (response_.has_caught_up() && !counted_) {
      counted_ = true;
      ready_->fetch_add(1);
    }
    book_->Delivered(index_, response_);
    StartRead(&response_);
  }

  // The last touch of the reactor: `done` outlives it.
  void OnDone(const grpc::Status&) override {
    if (!counted_) ready_->fetch_add(1);
    done_->DecrementCount();
  }

 private:
  const int index_;
  LagBook* const book_;
  std::atomic<int>* const ready_;
  grpc::ClientContext context_;
  v1::SubscribeRequest request_;
  v1::SubscribeResponse response_;
  bool counted_ = false;  // touched by this reactor's callbacks only
  absl::BlockingCounter* const done_;
};

// A client of PostgreSQL: a connection of its own and a writer of its own
// stream, "bench-<index>", living as long as the operations holding it.
struct PgClient {
  std::unique_ptr<PgConnection> conn;
  std::unique_ptr<pg_store::Writer> writer;
};

absl::StatusOr<std::shared_ptr<PgClient>> ConnectPgClient(
    const CompareOptions& options, int index) {
  absl::StatusOr<std::unique_ptr<PgConnection>> conn =
      PgConnection::Connect(options.pg);
  if (!conn.ok()) return conn.status();
  auto client = std::make_shared<PgClient>();
  client->conn = *std::move(conn);
  client->writer = std::make_unique<pg_store::Writer>(
      client->conn.get(), absl::StrCat("bench-", index),
      options.base.event_bytes);
  return client;
}

}  // namespace

// ------------------------------------------------------------ PostgreSQL

PointSpec PgSpec(const CompareOptions& options, int clients,
                 int events_per_write) {
  PointSpec spec;
  spec.key = absl::StrCat(
      "pg.", events_per_write == 1 ? "single" : "batch",
      events_per_write == 1 ? std::string() : absl::StrCat(events_per_write),
      ".", clients);
  spec.workload = events_per_write == 1
                      ? "PostgreSQL write_message, 1 event"
                      : absl::StrCat("PostgreSQL write_messages, ",
                                     events_per_write, " events");
  spec.variant = "a connection per client";
  spec.concurrency = clients;
  spec.run_once = [options, clients, events_per_write](const std::string&) {
    absl::StatusOr<std::unique_ptr<PgConnection>> admin =
        PgConnection::Connect(options.pg);
    if (!admin.ok()) return Failed(admin.status().ToString());
    if (absl::Status s = pg_store::Reset(admin->get()); !s.ok()) {
      return Failed(s.ToString());
    }
    LoopConfig config;
    config.threads = clients;
    config.warmup_seconds = options.base.warmup_seconds;
    config.duration_seconds = options.base.duration_seconds;
    LoopResult r = RunClosedLoop(config, [&](int i) -> Operation {
      absl::StatusOr<std::shared_ptr<PgClient>> client =
          ConnectPgClient(options, i);
      if (!client.ok()) return Failing(client.status());
      std::shared_ptr<PgClient> writer = *std::move(client);
      return [writer, events_per_write]() -> OpOutcome {
        absl::Status s = writer->writer->Write(events_per_write);
        if (!s.ok()) {
          NoteError(s.ToString());
          return {0, false};
        }
        return {static_cast<uint64_t>(events_per_write), true};
      };
    });
    return ToPoint(r);
  };
  return spec;
}

// ------------------------------------------------------------ reading

Point ReadRaw(const CompareOptions& options, uint64_t events) {
  const std::string dir = FreshDir(options.base.scratch, "read.raw");
  Point p;
  {
    absl::StatusOr<std::unique_ptr<RawStore>> raw = RawStore::Open(
        dir, RawShape::kOversight,
        RecordValueBytes(options.base.event_bytes, "bench-0", kEventType));
    if (!raw.ok()) return Failed(raw.status().ToString());
    RawStore::Writer writer = (*raw)->NewWriter("bench-0", 1);
    for (uint64_t written = 0; written < events; written += kPopulateBatch) {
      if (absl::Status s = writer.Write(kPopulateBatch); !s.ok()) {
        return Failed(s.ToString());
      }
    }
    std::vector<double> seconds;
    uint64_t count = 0;
    for (int r = 0; r <= options.base.repetitions; ++r) {
      const Clock::time_point t0 = Clock::now();
      absl::StatusOr<uint64_t> n = (*raw)->ScanLog(nullptr);
      const double s = SecondsSince(t0);
      if (!n.ok()) return Failed(n.status().ToString());
      count = *n;
      if (r > 0) seconds.push_back(s);  // The first pass warms the caches.
    }
    p = ReadPoint(count, seconds, absl::StrFormat("%d events", count));
  }
  if (!options.base.keep_dirs) RemoveDir(dir);
  return p;
}

Point ReadOversight(const CompareOptions& options, uint64_t events, int page) {
  const std::string dir = FreshDir(options.base.scratch, "read.oversight");
  Point p;
  {
    absl::StatusOr<std::unique_ptr<Daemon>> daemon = Daemon::Start(
        options.base.oversightd, dir, options.base.oversightd_flags, nullptr);
    if (!daemon.ok()) return Failed(daemon.status().ToString());
    std::shared_ptr<grpc::Channel> channel =
        NewChannel((*daemon)->address(), false);
    OversightAppender appender(channel, "bench-0");
    const std::vector<std::string>& payloads =
        Payloads(options.base.event_bytes);
    uint64_t turn = 0;
    for (uint64_t written = 0; written < events; written += kPopulateBatch) {
      std::vector<absl::string_view> data;
      for (int i = 0; i < kPopulateBatch; ++i) {
        data.push_back(payloads[turn++ % payloads.size()]);
      }
      if (absl::Status s = appender.Append(data); !s.ok()) {
        return Failed(s.ToString());
      }
    }
    std::unique_ptr<v1::EventStore::Stub> stub =
        v1::EventStore::NewStub(channel);
    std::vector<double> seconds;
    uint64_t count = 0;
    for (int r = 0; r <= options.base.repetitions; ++r) {
      const Clock::time_point t0 = Clock::now();
      uint64_t from = 1, n = 0;
      for (;;) {
        grpc::ClientContext context;
        SetRawLogCall(&context);
        v1::ReadAllRequest request;
        request.set_from_position(from);
        request.set_direction(v1::READ_DIRECTION_FORWARDS);
        request.set_max_count(page);
        v1::ReadAllResponse response;
        grpc::Status gs = stub->ReadAll(&context, request, &response);
        if (!gs.ok()) return Failed(GrpcError(gs));
        n += static_cast<uint64_t>(response.events_size());
        if (response.end_of_log()) break;
        from = response.next_position();
      }
      const double s = SecondsSince(t0);
      count = n;
      if (r > 0) seconds.push_back(s);
    }
    p = ReadPoint(count, seconds, absl::StrFormat("%d events", count));
    (*daemon)->Stop();
  }
  if (!options.base.keep_dirs) RemoveDir(dir);
  return p;
}

Point ReadPg(const CompareOptions& options, uint64_t events, int page) {
  absl::StatusOr<std::unique_ptr<PgConnection>> conn =
      PgConnection::Connect(options.pg);
  if (!conn.ok()) return Failed(conn.status().ToString());
  if (absl::Status s = pg_store::Reset(conn->get()); !s.ok()) {
    return Failed(s.ToString());
  }
  pg_store::Writer writer(conn->get(), "bench-0", options.base.event_bytes);
  for (uint64_t written = 0; written < events; written += kPopulateBatch) {
    if (absl::Status s = writer.Write(kPopulateBatch); !s.ok()) {
      return Failed(s.ToString());
    }
  }
  // Fresh statistics and a vacuumed table, as a long-lived store would have.
  if (absl::Status s = (*conn)->Exec("VACUUM ANALYZE oversight_bench.messages");
      !s.ok()) {
    return Failed(s.ToString());
  }
  std::vector<double> seconds;
  uint64_t count = 0;
  for (int r = 0; r <= options.base.repetitions; ++r) {
    uint64_t bytes = 0;
    const Clock::time_point t0 = Clock::now();
    absl::StatusOr<uint64_t> n = pg_store::ReadAll(
        conn->get(), 1, page,
        [&bytes](const pg_store::Message& m) { bytes += m.data.size(); });
    const double s = SecondsSince(t0);
    if (!n.ok()) return Failed(n.status().ToString());
    count = *n;
    if (r > 0) seconds.push_back(s);
  }
  return ReadPoint(count, seconds, absl::StrFormat("%d events", count));
}

// ------------------------------------------------------------ lag

Point LagOversight(const CompareOptions& options, const LagOptions& lag) {
  const std::string dir = FreshDir(options.base.scratch, "lag.oversight");
  Point p;
  // Counts the callback subscribers down as gRPC finishes with them.
  absl::BlockingCounter reactors_done(lag.callback_subscribers ? lag.subscribers
                                                               : 0);
  {
    absl::StatusOr<std::unique_ptr<Daemon>> daemon = Daemon::Start(
        options.base.oversightd, dir, options.base.oversightd_flags, nullptr);
    if (!daemon.ok()) return Failed(daemon.status().ToString());
    const std::string address = (*daemon)->address();
    // Subscribers share channels ten to a connection.
    std::vector<std::shared_ptr<grpc::Channel>> channels;
    for (int i = 0; i < (lag.subscribers + 9) / 10; ++i) {
      channels.push_back(NewChannel(address, true));
    }
    LagBook book(lag.subscribers, options.base.warmup_seconds + 1,
                 options.base.duration_seconds);
    std::atomic<int> ready{0};
    auto identify = [](grpc::ClientContext* context) {
      context->AddMetadata("oversight-agency", "deployment");
      context->AddMetadata("oversight-role", "operator");
      context->AddMetadata("oversight-actor", "oversight-bench");
    };
    v1::SubscribeRequest request;
    request.set_from_end(true);
    request.set_max_events_per_response(lag.max_events_per_response);
    std::vector<std::unique_ptr<v1::EventStore::Stub>> stubs;
    stubs.reserve(channels.size());
    for (const std::shared_ptr<grpc::Channel>& channel : channels) {
      stubs.push_back(v1::EventStore::NewStub(channel));
    }
    // Either a thread each with a blocking reader, or callback reactors.
    std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
    std::vector<std::thread> subscribers;
    std::vector<std::unique_ptr<CallbackSubscriber>> reactors;
    for (int i = 0; i < lag.subscribers; ++i) {
      if (lag.callback_subscribers) {
        reactors.push_back(std::make_unique<CallbackSubscriber>(
            i, &book, &ready, &reactors_done));
        identify(reactors.back()->context());
        reactors.back()->Start(stubs[i / 10].get(), request);
        continue;
      }
      contexts.push_back(std::make_unique<grpc::ClientContext>());
      identify(contexts.back().get());
      subscribers.emplace_back([&, i] {
        std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>> reader =
            stubs[i / 10]->Subscribe(contexts[i].get(), request);
        v1::SubscribeResponse response;
        bool counted = false;
        while (reader->Read(&response)) {
          if (response.has_caught_up() && !counted) {
            counted = true;
            ready.fetch_add(1);
          }
          book.Delivered(i, response);
        }
        if (!counted) ready.fetch_add(1);
        reader->Finish().IgnoreError();
      });
    }
    const Clock::time_point wait = Clock::now();
    while (ready.load() < lag.subscribers && SecondsSince(wait) < 30) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    std::shared_ptr<grpc::Channel> shared = NewChannel(address, false);
    // The server's CPU from here until every delivery arrived, per
    // delivery (its appends included): the figure that shows what the
    // server spends on each subscriber, steadier than the lag.
    const double cpu_from = (*daemon)->CpuSeconds();
    const uint64_t received_from = book.received();
    LoopResult r = RunStampedAppends(
        options, lag, &book, wait, [&](int i, absl::Status*) -> AppendData {
          auto appender = std::make_shared<OversightAppender>(
              shared, absl::StrCat("bench-", i));
          return [appender](absl::string_view data) {
            return appender->Append({data});
          };
        });
    book.AwaitDeliveries(book.appended() * lag.subscribers, 10);
    const double cpu = (*daemon)->CpuSeconds() - cpu_from;
    const uint64_t received = book.received() - received_from;
    for (auto& c : contexts) c->TryCancel();
    for (auto& reactor : reactors) reactor->context()->TryCancel();
    for (std::thread& t : subscribers) t.join();
    reactors_done.Wait();
    p = book.Result(lag.subscribers, r);
    if (received > 0) {
      p.note = JoinNote(p.note, absl::StrFormat("oversightd %.1f µs CPU a "
                                                "delivery",
                                                cpu * 1e6 / received));
    }
    (*daemon)->Stop();
  }
  if (!options.base.keep_dirs) RemoveDir(dir);
  return p;
}

Point LagPg(const CompareOptions& options, const LagOptions& lag) {
  absl::StatusOr<std::unique_ptr<PgConnection>> admin =
      PgConnection::Connect(options.pg);
  if (!admin.ok()) return Failed(admin.status().ToString());
  if (absl::Status s = pg_store::Reset(admin->get()); !s.ok()) {
    return Failed(s.ToString());
  }
  if (absl::Status s = pg_store::SetNotify(admin->get(), true); !s.ok()) {
    return Failed(s.ToString());
  }
  LagBook book(lag.subscribers, options.base.warmup_seconds + 1,
               options.base.duration_seconds);
  std::atomic<bool> stop{false};
  std::atomic<int> ready{0};
  absl::Mutex mu;
  std::string subscriber_error;
  std::vector<std::thread> subscribers;
  for (int i = 0; i < lag.subscribers; ++i) {
    subscribers.emplace_back([&, i] {
      auto fail = [&](const absl::Status& s) {
        absl::MutexLock lock(&mu);
        if (subscriber_error.empty()) subscriber_error = s.ToString();
      };
      absl::StatusOr<std::unique_ptr<PgConnection>> conn =
          PgConnection::Connect(options.pg);
      if (!conn.ok()) {
        fail(conn.status());
        ready.fetch_add(1);
        return;
      }
      absl::Status listen = (*conn)->Exec("LISTEN oversight_bench_messages");
      // The table was emptied: everything from position 1 is new.
      int64_t next = 1;
      ready.fetch_add(1);
      if (!listen.ok()) {
        fail(listen);
        return;
      }
      while (!stop.load()) {
        absl::StatusOr<bool> woken = (*conn)->WaitForNotify(50);
        if (!woken.ok()) {
          fail(woken.status());
          return;
        }
        if (!*woken) continue;
        absl::StatusOr<uint64_t> n = pg_store::ReadAll(
            conn->get(), next, 1000, [&](const pg_store::Message& m) {
              book.Delivered(i, m.data);
              next = m.global_position + 1;
            });
        if (!n.ok()) {
          fail(n.status());
          return;
        }
      }
    });
  }
  const Clock::time_point wait = Clock::now();
  while (ready.load() < lag.subscribers && SecondsSince(wait) < 30) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  LoopResult r = RunStampedAppends(
      options, lag, &book, wait, [&](int i, absl::Status* why) -> AppendData {
        absl::StatusOr<std::shared_ptr<PgClient>> client =
            ConnectPgClient(options, i);
        if (!client.ok()) {
          *why = client.status();
          return nullptr;
        }
        std::shared_ptr<PgClient> writer = *std::move(client);
        return [writer](absl::string_view data) {
          return writer->writer->WriteData(data);
        };
      });
  book.AwaitDeliveries(book.appended() * lag.subscribers, 10);
  stop.store(true);
  for (std::thread& t : subscribers) t.join();
  pg_store::SetNotify(admin->get(), false).IgnoreError();
  Point p = book.Result(lag.subscribers, r);
  if (!subscriber_error.empty()) {
    p.note = JoinNote(p.note, "subscriber: " + subscriber_error);
  }
  return p;
}

}  // namespace oversight::bench
