// oversight: a command-line client for oversightd's event log.
//
//   oversight [--server=127.0.0.1:50051] [--timeout_seconds=10] COMMAND ...
//
// Commands:
//   head                         last position and its chain hash
//   verify [FROM [TO]]           recompute the hash chain (default: all)
//   append STREAM TYPE DATA      append one event (expected revision: any,
//                                or --expected=no_stream|exists|N)
//   read-stream STREAM [FROM]    events of one stream (--backwards, --max)
//   read-all [FROM]              events of the whole log (--backwards,
//                                --max, --stream_prefix, --type)
//   tail [FROM]                  subscribe: history, then live (Ctrl-C)
//
// Exit codes: 0 success; 1 the server refused or failed the request
// (the status code and reason are printed on one line); 2 usage error;
// 3 server unreachable or deadline exceeded; 4 the chain did not verify.

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "clients/cli_format.h"
#include "eventstore/types.h"
#include "grpcpp/grpcpp.h"
#include "oversight/v1/eventstore.grpc.pb.h"

ABSL_FLAG(std::string, server, "127.0.0.1:50051", "oversightd's host:port");
ABSL_FLAG(int, timeout_seconds, 10, "deadline of each call");
ABSL_FLAG(std::string, expected, "any",
          "append: expected revision: any, no_stream, exists, or a number");
ABSL_FLAG(bool, backwards, false, "read backwards");
ABSL_FLAG(int, max, 100, "read: events per call (1 to 1000)");
ABSL_FLAG(std::string, stream_prefix, "", "read-all/tail: stream prefix");
ABSL_FLAG(std::string, type, "", "read-all/tail: only this event type");
ABSL_FLAG(bool, all, false, "read-all/read-stream: page until the end");

namespace oversight::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitRefused = 1;
constexpr int kExitUsage = 2;
constexpr int kExitUnreachable = 3;
constexpr int kExitBroken = 4;

std::unique_ptr<grpc::ClientContext> Context() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::seconds(absl::GetFlag(FLAGS_timeout_seconds)));
  return ctx;
}

int Fail(const grpc::Status& status, const grpc::ClientContext& ctx) {
  std::cerr << FormatError(status, ctx) << "\n";
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE &&
      ctx.GetServerTrailingMetadata().count("oversight-reason") == 0) {
    return kExitUnreachable;
  }
  if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    return kExitUnreachable;
  }
  if (status.error_code() == grpc::StatusCode::DATA_LOSS) return kExitBroken;
  return kExitRefused;
}

int Usage(const std::string& message) {
  std::cerr << "oversight: " << message << "\n"
            << "run 'oversight --help' for the commands\n";
  return kExitUsage;
}

bool ParseNumber(const std::string& text, uint64_t* out) {
  return absl::SimpleAtoi(text, out);
}

v1::EventFilter Filter() {
  v1::EventFilter filter;
  filter.set_stream_prefix(absl::GetFlag(FLAGS_stream_prefix));
  if (!absl::GetFlag(FLAGS_type).empty()) {
    filter.add_event_types(absl::GetFlag(FLAGS_type));
  }
  return filter;
}

int Head(v1::EventStore::Stub* stub) {
  auto ctx = Context();
  v1::GetHeadResponse head;
  grpc::Status s = stub->GetHead(ctx.get(), {}, &head);
  if (!s.ok()) return Fail(s, *ctx);
  std::cout << "position " << head.position() << "\nhash     "
            << Hex(head.hash()) << "\n";
  return kExitOk;
}

int Verify(v1::EventStore::Stub* stub, const std::vector<std::string>& args) {
  v1::VerifyChainRequest request;
  uint64_t n;
  if (args.size() > 0) {
    if (!ParseNumber(args[0], &n)) return Usage("FROM must be a number");
    request.set_from_position(n);
  }
  if (args.size() > 1) {
    if (!ParseNumber(args[1], &n)) return Usage("TO must be a number");
    request.set_to_position(n);
  }
  auto ctx = Context();
  v1::VerifyChainResponse response;
  grpc::Status s = stub->VerifyChain(ctx.get(), request, &response);
  if (!s.ok()) return Fail(s, *ctx);
  std::cout << "verified positions " << response.from_position() << " to "
            << response.to_position() << "\nhead hash "
            << Hex(response.head_hash()) << "\n";
  return kExitOk;
}

int Append(v1::EventStore::Stub* stub, const std::vector<std::string>& args) {
  if (args.size() != 3) return Usage("append needs STREAM TYPE DATA");
  v1::AppendRequest request;
  request.set_stream(args[0]);
  const std::string expected = absl::GetFlag(FLAGS_expected);
  uint64_t revision;
  if (expected == "any") {
    request.set_expected_kind(v1::EXPECTED_REVISION_KIND_ANY);
  } else if (expected == "no_stream") {
    request.set_expected_kind(v1::EXPECTED_REVISION_KIND_NO_STREAM);
  } else if (expected == "exists") {
    request.set_expected_kind(v1::EXPECTED_REVISION_KIND_STREAM_EXISTS);
  } else if (ParseNumber(expected, &revision)) {
    request.set_expected_kind(v1::EXPECTED_REVISION_KIND_EXACT);
    request.set_expected_revision(revision);
  } else {
    return Usage("--expected must be any, no_stream, exists or a number");
  }
  v1::ProposedEvent* event = request.add_events();
  event->set_event_id(eventstore::EventId::Random().ToString());
  event->set_type(args[1]);
  event->set_data(args[2]);
  auto ctx = Context();
  v1::AppendResponse response;
  grpc::Status s = stub->Append(ctx.get(), request, &response);
  if (!s.ok()) return Fail(s, *ctx);
  std::cout << "position " << response.first_position() << " revision "
            << response.first_revision() << " event " << event->event_id()
            << "\n";
  return kExitOk;
}

int ReadStream(v1::EventStore::Stub* stub,
               const std::vector<std::string>& args) {
  if (args.empty() || args.size() > 2)
    return Usage("read-stream STREAM [FROM]");
  v1::ReadStreamRequest request;
  request.set_stream(args[0]);
  request.set_max_count(absl::GetFlag(FLAGS_max));
  const bool backwards = absl::GetFlag(FLAGS_backwards);
  if (backwards) request.set_direction(v1::READ_DIRECTION_BACKWARDS);
  uint64_t from = 0;
  if (args.size() == 2) {
    if (!ParseNumber(args[1], &from)) return Usage("FROM must be a number");
    request.set_from_revision(from);
  } else if (backwards) {
    request.set_from_end(true);
  }
  PrintHeader(std::cout);
  for (;;) {
    auto ctx = Context();
    v1::ReadStreamResponse page;
    grpc::Status s = stub->ReadStream(ctx.get(), request, &page);
    if (!s.ok()) return Fail(s, *ctx);
    for (const auto& e : page.events()) PrintEvent(std::cout, e);
    if (page.end_of_stream() || !absl::GetFlag(FLAGS_all)) break;
    request.set_from_end(false);
    request.set_from_revision(page.next_revision());
  }
  return kExitOk;
}

int ReadAll(v1::EventStore::Stub* stub, const std::vector<std::string>& args) {
  v1::ReadAllRequest request;
  request.set_max_count(absl::GetFlag(FLAGS_max));
  *request.mutable_filter() = Filter();
  const bool backwards = absl::GetFlag(FLAGS_backwards);
  if (backwards) request.set_direction(v1::READ_DIRECTION_BACKWARDS);
  if (!args.empty()) {
    uint64_t from;
    if (!ParseNumber(args[0], &from)) return Usage("FROM must be a number");
    request.set_from_position(from);
  } else if (backwards) {
    request.set_from_end(true);
  }
  PrintHeader(std::cout);
  for (;;) {
    auto ctx = Context();
    v1::ReadAllResponse page;
    grpc::Status s = stub->ReadAll(ctx.get(), request, &page);
    if (!s.ok()) return Fail(s, *ctx);
    for (const auto& e : page.events()) PrintEvent(std::cout, e);
    if (page.end_of_log() || !absl::GetFlag(FLAGS_all)) break;
    request.set_from_end(false);
    request.set_from_position(page.next_position());
  }
  return kExitOk;
}

int Tail(v1::EventStore::Stub* stub, const std::vector<std::string>& args) {
  v1::SubscribeRequest request;
  *request.mutable_filter() = Filter();
  if (!args.empty()) {
    uint64_t from;
    if (!ParseNumber(args[0], &from)) return Usage("FROM must be a number");
    request.set_from_position(from);
  } else {
    request.set_from_end(true);
  }
  grpc::ClientContext ctx;  // No deadline: a subscription runs until stopped.
  auto reader = stub->Subscribe(&ctx, request);
  PrintHeader(std::cout);
  v1::SubscribeResponse message;
  while (reader->Read(&message)) {
    if (message.has_event()) {
      PrintEvent(std::cout, message.event());
    } else if (message.has_caught_up()) {
      std::cout << "-- caught up at position "
                << message.caught_up().head_position() << "; live --\n";
    }
    std::cout.flush();
  }
  grpc::Status s = reader->Finish();
  return s.ok() ? kExitOk : Fail(s, ctx);
}

}  // namespace
}  // namespace oversight::cli

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "A client for oversightd's event log.\n"
      "  oversight [--server=HOST:PORT] COMMAND [ARGS]\n"
      "Commands: head | verify [FROM [TO]] | append STREAM TYPE DATA |\n"
      "          read-stream STREAM [FROM] | read-all [FROM] | tail [FROM]\n"
      "Example:\n"
      "  oversight append review-1 example.Noted 'hello' --expected=no_stream\n"
      "  oversight read-all --all\n"
      "Exit codes: 0 ok, 1 refused, 2 usage, 3 unreachable, 4 chain broken");
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  if (positional.size() < 2) {
    return oversight::cli::Usage("no command given");
  }
  const std::string command = positional[1];
  std::vector<std::string> args(positional.begin() + 2, positional.end());
  auto stub = oversight::v1::EventStore::NewStub(grpc::CreateChannel(
      absl::GetFlag(FLAGS_server), grpc::InsecureChannelCredentials()));
  namespace cli = oversight::cli;
  if (command == "head") return cli::Head(stub.get());
  if (command == "verify") return cli::Verify(stub.get(), args);
  if (command == "append") return cli::Append(stub.get(), args);
  if (command == "read-stream") return cli::ReadStream(stub.get(), args);
  if (command == "read-all") return cli::ReadAll(stub.get(), args);
  if (command == "tail") return cli::Tail(stub.get(), args);
  return cli::Usage(absl::StrCat("unknown command \"", command, "\""));
}
