// gRPC appends over AppendStream: each client thread keeps one
// bidirectional stream open and appends one event (or one batch) at a time
// on it, waiting for each answer, exactly as the unary clients of GrpcSpec
// do, but without paying for a new call per append.

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "bench/workload_util.h"
#include "grpcpp/grpcpp.h"
#include "oversight/v1/eventstore.grpc.pb.h"

namespace oversight::bench {
namespace {

namespace es = ::oversight::eventstore;
namespace v1 = ::oversight::v1;

class StreamAppender {
 public:
  StreamAppender(std::shared_ptr<grpc::Channel> channel, int index,
                 size_t bytes, int events)
      : stub_(v1::EventStore::NewStub(channel)), bytes_(bytes), turn_(index) {
    // A stream lives for the whole run; its deadline is a generous bound.
    SetRawLogCall(&context_);
    context_.set_deadline(std::chrono::system_clock::now() +
                          std::chrono::minutes(10));
    stream_ = stub_->AppendStream(&context_);
    v1::AppendRequest* append = request_.mutable_append();
    append->set_stream(absl::StrCat("stream-bench-", index));
    for (int i = 0; i < events; ++i) {
      append->add_events()->set_type(kEventType);
    }
  }

  ~StreamAppender() {
    stream_->WritesDone();
    v1::AppendStreamResponse ignored;
    while (stream_->Read(&ignored)) {
    }
    grpc::Status s = stream_->Finish();
    if (!s.ok()) NoteError(GrpcError(s));
  }

  OpOutcome AppendOnce() {
    const std::vector<std::string>& payloads = Payloads(bytes_);
    v1::AppendRequest* append = request_.mutable_append();
    if (exists_) {
      append->set_expected_kind(v1::EXPECTED_REVISION_KIND_EXACT);
      append->set_expected_revision(revision_);
    } else {
      append->set_expected_kind(v1::EXPECTED_REVISION_KIND_NO_STREAM);
    }
    for (v1::ProposedEvent& e : *append->mutable_events()) {
      e.set_event_id(es::EventId::Random().ToString());
      e.set_data(payloads[turn_++ % payloads.size()]);
    }
    request_.set_correlation_id(++correlation_);
    v1::AppendStreamResponse response;
    if (!stream_->Write(request_) || !stream_->Read(&response)) {
      NoteError("append stream ended early");
      return {0, false};
    }
    if (response.correlation_id() != correlation_ || !response.has_appended()) {
      NoteError(absl::StrCat("append failed: ", response.error().reason(), " ",
                             response.error().message()));
      uint64_t current;
      if (absl::SimpleAtoi(response.error().current_revision(), &current)) {
        exists_ = true;
        revision_ = current;
      }
      return {0, false};
    }
    exists_ = true;
    revision_ = response.appended().last_revision();
    return {static_cast<uint64_t>(append->events_size()), true};
  }

 private:
  std::unique_ptr<v1::EventStore::Stub> stub_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReaderWriter<v1::AppendStreamRequest,
                                           v1::AppendStreamResponse>>
      stream_;
  const size_t bytes_;
  uint64_t turn_;
  uint64_t correlation_ = 0;
  v1::AppendStreamRequest request_;
  bool exists_ = false;
  uint64_t revision_ = 0;
};

}  // namespace

PointSpec GrpcStreamSpec(const WorkloadOptions& options, int clients,
                         int events_per_append, ChannelMode mode) {
  PointSpec spec;
  spec.key = absl::StrCat(
      "grpc_stream.",
      events_per_append == 1 ? std::string("single")
                             : absl::StrCat("batch", events_per_append),
      ".", clients, mode == ChannelMode::kShared ? ".shared" : "");
  spec.workload =
      events_per_append == 1
          ? "gRPC AppendStream, 1 event"
          : absl::StrCat("gRPC AppendStream, ", events_per_append, " events");
  spec.variant = ChannelModeName(mode);
  spec.concurrency = clients;
  spec.run_once = [options, clients, events_per_append,
                   mode](const std::string& dir) {
    return RunAgainstServer(
        options, dir, clients, mode,
        [&](std::shared_ptr<grpc::Channel> channel, int i) {
          auto appender = std::make_shared<StreamAppender>(
              std::move(channel), i, options.event_bytes, events_per_append);
          return Operation([appender] { return appender->AppendOnce(); });
        });
  };
  return spec;
}

}  // namespace oversight::bench
