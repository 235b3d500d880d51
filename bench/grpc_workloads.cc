// Workloads through the gRPC server: appends from concurrent clients, and
// ReadAll of a populated log (with the in-process ReadAll beside it).

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

#include "absl/strings/numbers.h"
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

// One client thread's appender: its own stream, exact expected revision.
class GrpcAppender {
 public:
  GrpcAppender(std::shared_ptr<grpc::Channel> channel, int index, size_t bytes,
               int events)
      : stub_(v1::EventStore::NewStub(channel)), bytes_(bytes), turn_(index) {
    request_.set_stream(absl::StrCat("bench-", index));
    for (int i = 0; i < events; ++i) {
      request_.add_events()->set_type(kEventType);
    }
  }

  OpOutcome AppendOnce() {
    const std::vector<std::string>& payloads = Payloads(bytes_);
    if (exists_) {
      request_.set_expected_kind(v1::EXPECTED_REVISION_KIND_EXACT);
      request_.set_expected_revision(revision_);
    } else {
      request_.set_expected_kind(v1::EXPECTED_REVISION_KIND_NO_STREAM);
    }
    for (v1::ProposedEvent& e : *request_.mutable_events()) {
      e.set_event_id(es::EventId::Random().ToString());
      e.set_data(payloads[turn_++ % payloads.size()]);
    }
    grpc::ClientContext context;
    SetRawLogCall(&context);
    v1::AppendResponse response;
    grpc::Status s = stub_->Append(&context, request_, &response);
    if (!s.ok()) {
      NoteError(GrpcError(s));
      // An append that failed but was recorded (say, past its deadline)
      // leaves our revision behind: resynchronise from the trailer.
      if (s.error_code() == grpc::StatusCode::ABORTED) Resync(context);
      return {0, false};
    }
    exists_ = true;
    revision_ = response.last_revision();
    return {static_cast<uint64_t>(request_.events_size()), true};
  }

 private:
  void Resync(const grpc::ClientContext& context) {
    const auto& trailers = context.GetServerTrailingMetadata();
    auto it = trailers.find("oversight-current-revision");
    if (it == trailers.end()) return;
    const std::string value(it->second.data(), it->second.size());
    uint64_t revision = 0;
    exists_ = absl::SimpleAtoi(value, &revision);
    revision_ = revision;
  }

  std::unique_ptr<v1::EventStore::Stub> stub_;
  const size_t bytes_;
  uint64_t turn_;
  v1::AppendRequest request_;
  bool exists_ = false;
  uint64_t revision_ = 0;
};

}  // namespace

const char* ChannelModeName(ChannelMode mode) {
  return mode == ChannelMode::kPerClient ? "channel per client"
                                         : "one shared channel";
}

PointSpec GrpcSpec(const WorkloadOptions& options, int clients,
                   int events_per_append, ChannelMode mode) {
  const std::string kind = events_per_append == 1
                               ? std::string("single")
                               : absl::StrCat("batch", events_per_append);
  const std::string key =
      absl::StrCat("grpc.", kind, ".", clients,
                   mode == ChannelMode::kShared ? ".shared" : "");
  const std::string workload =
      events_per_append == 1
          ? "gRPC Append, 1 event"
          : absl::StrCat("gRPC Append, ", events_per_append, " events");
  PointSpec spec;
  spec.key = key;
  spec.workload = workload;
  spec.variant = ChannelModeName(mode);
  spec.concurrency = clients;
  spec.run_once = [options, clients, events_per_append,
                   mode](const std::string& dir) {
    return RunAgainstServer(
        options, dir, clients, mode,
        [&](std::shared_ptr<grpc::Channel> channel, int i) {
          auto appender = std::make_shared<GrpcAppender>(
              std::move(channel), i, options.event_bytes, events_per_append);
          return Operation([appender] { return appender->AppendOnce(); });
        });
  };
  return spec;
}

PointSpec GrpcPingSpec(const WorkloadOptions& options, int clients) {
  PointSpec spec;
  spec.key = absl::StrCat("grpc.ping.", clients);
  spec.workload = "gRPC GetHead (no disk: the cost of a call)";
  spec.variant = ChannelModeName(ChannelMode::kPerClient);
  spec.concurrency = clients;
  spec.run_once = [options, clients](const std::string& dir) {
    Point p =
        RunAgainstServer(options, dir, clients, ChannelMode::kPerClient,
                         [](std::shared_ptr<grpc::Channel> channel, int) {
                           std::shared_ptr<v1::EventStore::Stub> stub =
                               v1::EventStore::NewStub(std::move(channel));
                           return Operation([stub]() -> OpOutcome {
                             grpc::ClientContext context;
                             SetRawLogCall(&context);
                             v1::GetHeadResponse response;
                             grpc::Status s = stub->GetHead(
                                 &context, v1::GetHeadRequest(), &response);
                             if (!s.ok()) {
                               NoteError(GrpcError(s));
                               return {0, false};
                             }
                             return {1, true};
                           });
                         });
    p.note = JoinNote("calls/s, not events", p.note);
    return p;
  };
  return spec;
}

}  // namespace oversight::bench
