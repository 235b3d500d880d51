// The event log's verbs of the oversight command: head, verify, append,
// read-stream, read-all and tail. Their flags are defined in
// clients/oversight_main.cc.
//
// Need-to-know (docs/security.md): an OFFICIAL-SENSITIVE event read
// without a justification comes withheld, without its data, and prints so;
// a page (or, for tail, an event) that carried sensitive data names the
// AccessRecorded event that records it, printed after it.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "clients/cli_format.h"
#include "clients/verbs.h"
#include "eventstore/types.h"

ABSL_DECLARE_FLAG(int, timeout_seconds);
ABSL_DECLARE_FLAG(std::string, actor);
ABSL_DECLARE_FLAG(std::string, expected);
ABSL_DECLARE_FLAG(bool, backwards);
ABSL_DECLARE_FLAG(int, max);
ABSL_DECLARE_FLAG(std::string, stream_prefix);
ABSL_DECLARE_FLAG(std::string, type);
ABSL_DECLARE_FLAG(bool, all);
ABSL_DECLARE_FLAG(bool, quiet);
ABSL_DECLARE_FLAG(uint64_t, progress_every);

namespace oversight::cli {
namespace {

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

// 0 or `position`, as a list.
std::vector<uint64_t> AccessPositions(uint64_t position) {
  if (position == 0) return {};
  return {position};
}

// Prints one page of a raw read, and then where the access log recorded
// it; returns how many of its events were withheld.
uint64_t PrintPage(
    const google::protobuf::RepeatedPtrField<v1::RecordedEvent>& events,
    uint64_t access_recorded_position) {
  uint64_t withheld = 0;
  for (const v1::RecordedEvent& e : events) {
    PrintEvent(std::cout, e);
    if (e.withheld()) ++withheld;
  }
  PrintDisclosure(std::cout,
                  Disclosure{0, AccessPositions(access_recorded_position)});
  return withheld;
}

}  // namespace

int Usage(const std::string& message) {
  std::cerr << "oversight: " << message << "\n"
            << "run 'oversight --help' for the verbs, 'oversight help VERB' "
               "for one\n";
  return kExitUsage;
}

int Fail(const grpc::Status& status, const grpc::ClientContext& context) {
  std::cerr << FormatError(status, context) << "\n";
  return ExitCodeFor(status, context);
}

std::unique_ptr<grpc::ClientContext> CallContext(const Clients& clients) {
  const auto timeout =
      std::chrono::seconds(absl::GetFlag(FLAGS_timeout_seconds));
  if (clients.identity.mode == IdentityMode::kCertificate) {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() + timeout);
    AddJustification(context.get(), clients.identity.justification);
    return context;
  }
  return CommandContext(clients.identity, "", absl::GetFlag(FLAGS_actor),
                        timeout);
}

int Head(const Clients& clients, const std::vector<std::string>& args) {
  if (!args.empty()) return Usage("head takes no arguments");
  v1::EventStore::Stub* stub = clients.events.get();
  auto ctx = CallContext(clients);
  v1::GetHeadResponse head;
  grpc::Status s = stub->GetHead(ctx.get(), {}, &head);
  if (!s.ok()) return Fail(s, *ctx);
  std::cout << "position " << head.position() << "\nhash     "
            << Hex(head.hash()) << "\n";
  return kExitOk;
}

int Verify(const Clients& clients, const std::vector<std::string>& args) {
  v1::EventStore::Stub* stub = clients.events.get();
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
  // A long range is verified in parts of --progress_every positions, each
  // from the hash stored before it (which the part before has verified),
  // with a progress line after each; a short one, or with --quiet, in one
  // call. Either way the result is that of verifying the whole range.
  const uint64_t every = absl::GetFlag(FLAGS_progress_every);
  uint64_t from = 0, to = 0;
  bool in_parts = false;
  if (every > 0 && !absl::GetFlag(FLAGS_quiet)) {
    auto ctx = CallContext(clients);
    v1::GetHeadResponse head;
    if (stub->GetHead(ctx.get(), {}, &head).ok()) {
      from = request.from_position() == 0 ? 1 : request.from_position();
      to = request.to_position() == 0 ? head.position() : request.to_position();
      // A range the server would refuse goes as asked, to be refused.
      in_parts = from <= to && to <= head.position() && to - from + 1 > every;
    }
  }
  v1::VerifyChainResponse response;
  if (!in_parts) {
    auto ctx = CallContext(clients);
    grpc::Status s = stub->VerifyChain(ctx.get(), request, &response);
    if (!s.ok()) return Fail(s, *ctx);
  } else {
    for (uint64_t start = from; start <= to;) {
      const uint64_t end = std::min(to, start + (every - 1));
      v1::VerifyChainRequest part;
      part.set_from_position(start);
      part.set_to_position(end);
      auto ctx = CallContext(clients);
      v1::VerifyChainResponse verified;
      grpc::Status s = stub->VerifyChain(ctx.get(), part, &verified);
      if (!s.ok()) return Fail(s, *ctx);
      std::cerr << "verified positions " << from << " to " << end << " of "
                << to << "\n";
      response.set_head_hash(verified.head_hash());
      if (end == to) break;
      start = end + 1;
    }
    response.set_from_position(from);
    response.set_to_position(to);
  }
  std::cout << "verified positions " << response.from_position() << " to "
            << response.to_position() << "\nhead hash "
            << Hex(response.head_hash()) << "\n";
  return kExitOk;
}

int Append(const Clients& clients, const std::vector<std::string>& args) {
  v1::EventStore::Stub* stub = clients.events.get();
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
  auto ctx = CallContext(clients);
  v1::AppendResponse response;
  grpc::Status s = stub->Append(ctx.get(), request, &response);
  if (!s.ok()) return Fail(s, *ctx);
  std::cout << "position " << response.first_position() << " revision "
            << response.first_revision() << " event " << event->event_id()
            << "\n";
  return kExitOk;
}

int ReadStream(const Clients& clients, const std::vector<std::string>& args) {
  v1::EventStore::Stub* stub = clients.events.get();
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
  uint64_t withheld = 0;
  for (;;) {
    auto ctx = CallContext(clients);
    v1::ReadStreamResponse page;
    grpc::Status s = stub->ReadStream(ctx.get(), request, &page);
    if (!s.ok()) return Fail(s, *ctx);
    withheld += PrintPage(page.events(), page.access_recorded_position());
    if (page.end_of_stream() || !absl::GetFlag(FLAGS_all)) break;
    request.set_from_end(false);
    request.set_from_revision(page.next_revision());
  }
  PrintDisclosure(std::cout, Disclosure{withheld, {}});
  return kExitOk;
}

int ReadAll(const Clients& clients, const std::vector<std::string>& args) {
  v1::EventStore::Stub* stub = clients.events.get();
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
  uint64_t withheld = 0;
  for (;;) {
    auto ctx = CallContext(clients);
    v1::ReadAllResponse page;
    grpc::Status s = stub->ReadAll(ctx.get(), request, &page);
    if (!s.ok()) return Fail(s, *ctx);
    withheld += PrintPage(page.events(), page.access_recorded_position());
    if (page.end_of_log() || !absl::GetFlag(FLAGS_all)) break;
    request.set_from_end(false);
    request.set_from_position(page.next_position());
  }
  PrintDisclosure(std::cout, Disclosure{withheld, {}});
  return kExitOk;
}

int Tail(const Clients& clients, const std::vector<std::string>& args) {
  v1::EventStore::Stub* stub = clients.events.get();
  v1::SubscribeRequest request;
  *request.mutable_filter() = Filter();
  if (!args.empty()) {
    uint64_t from;
    if (!ParseNumber(args[0], &from)) return Usage("FROM must be a number");
    request.set_from_position(from);
  } else {
    request.set_from_end(true);
  }
  auto ctx = CallContext(clients);
  // No deadline: a subscription runs until stopped.
  ctx->set_deadline(std::chrono::system_clock::time_point::max());
  auto reader = stub->Subscribe(ctx.get(), request);
  PrintHeader(std::cout);
  v1::SubscribeResponse message;
  while (reader->Read(&message)) {
    if (message.has_event()) {
      PrintEvent(std::cout, message.event());
      PrintDisclosure(
          std::cout,
          Disclosure{0, AccessPositions(message.access_recorded_position())});
    } else if (message.has_caught_up()) {
      std::cout << "-- caught up at position "
                << message.caught_up().head_position() << "; live --\n";
    }
    std::cout.flush();
  }
  grpc::Status s = reader->Finish();
  return s.ok() ? kExitOk : Fail(s, *ctx);
}

}  // namespace oversight::cli
