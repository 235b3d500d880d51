// Fuzzes the domain rules (projections/commands.h, DecideCommand). The
// input is one byte, whose low bit chooses the world the commands start
// from (0: the seed world of tests/fuzz/seed_world.h; 1: an empty log, as
// the example import file starts from), then a sequence of up to 128
// length-delimited oversight.v1.ImportLine messages (a varint length,
// then the message), each naming the agency and person that send one
// command of proto/oversight/v1/commands.proto. Each is decided against
// the world as it stands after the commands before it; an accepted
// command's event is recorded, as the server would.
//
// Properties:
//  - a refusal has one of the domain's status codes and a reason
//    (projections/domain_errors.h);
//  - an accepted command gives an event of a domain stream, with a
//    payload and the envelope DecideCommand promises (the actor, the
//    request id and classification of the request), decided at the
//    stream's current revision (so it can be appended), under a
//    consistency key;
//  - that event, serialized, is a domain event again (ToDomainEvent) and
//    decodes for the fold (DecodeFoldEvent) with its payload, and folds
//    into the read models the same live and as a rebuild;
//  - after any accepted commands, the Panel report of the seed review
//    still renders (in the seed world).

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "eventstore/errors.h"
#include "eventstore/types.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/util/message_differencer.h"
#include "oversight/v1/commands.pb.h"
#include "oversight/v1/domain.pb.h"
#include "projections/aggregates.h"
#include "projections/commands.h"
#include "projections/fold_event.h"
#include "projections/read_model.h"
#include "projections/report.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/seed_world.h"

namespace {

namespace pj = ::oversight::projections;
namespace v1 = ::oversight::v1;
namespace es = ::oversight::eventstore;
using oversight::fuzz::World;

constexpr int kMaxCommands = 128;

bool DomainCode(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kUnimplemented:
      return true;
    default:
      return false;
  }
}

const google::protobuf::Message& Request(const v1::ImportLine& line) {
  return line.GetReflection()->GetMessage(
      line, line.GetDescriptor()->FindFieldByNumber(line.command_case()));
}

// Decides `line` against `world` and checks the decision; records the
// event when accepted. True when it was.
bool Decide(const v1::ImportLine& line, World* world,
            v1::ProjectionState* state) {
  // A line without a command is the import file reader's to refuse.
  if (line.command_case() == v1::ImportLine::COMMAND_NOT_SET) return false;
  absl::StatusOr<pj::Decision> d = oversight::fuzz::DecideLine(world, line);
  if (!d.ok()) {
    const std::optional<std::string> reason = es::ReasonOf(d.status());
    if (!DomainCode(d.status().code()) || !reason.has_value() ||
        reason->empty()) {
      std::fprintf(stderr, "%s refused: %s\n", line.ShortDebugString().c_str(),
                   d.status().ToString().c_str());
    }
    FUZZ_CHECK(DomainCode(d.status().code()));
    FUZZ_CHECK(reason.has_value() && !reason->empty());
    return false;
  }
  const google::protobuf::Message& request = Request(line);
  const google::protobuf::Descriptor* type = request.GetDescriptor();
  const google::protobuf::Reflection* r = request.GetReflection();
  const v1::DomainEvent& event = d->event;

  FUZZ_CHECK(pj::IsDomainStream(d->stream));
  FUZZ_CHECK(event.payload_case() != v1::DomainEvent::PAYLOAD_NOT_SET);
  FUZZ_CHECK(!pj::EventTypeName(event).empty());
  FUZZ_CHECK(!pj::EntityIdOf(event).empty());
  FUZZ_CHECK(!pj::ConsistencyKey(request).empty());
  FUZZ_CHECK(event.actor().agency_id() == line.agency());
  FUZZ_CHECK(event.actor().person() == line.actor());
  FUZZ_CHECK(event.request_id() ==
             r->GetString(request, type->FindFieldByName("request_id")));
  FUZZ_CHECK(event.classification() ==
             r->GetEnumValue(request, type->FindFieldByName("classification")));
  FUZZ_CHECK(d->expected_revision == world->source.Revision(d->stream));

  std::string bytes;
  FUZZ_CHECK(event.SerializeToString(&bytes));
  es::RecordedEvent recorded;
  recorded.position = world->log.size() + 1;
  recorded.stream = d->stream;
  recorded.type = pj::EventTypeName(event);
  recorded.data = bytes;
  std::optional<pj::RecordedDomainEvent> domain = pj::ToDomainEvent(recorded);
  FUZZ_CHECK(domain.has_value());
  FUZZ_CHECK(
      google::protobuf::util::MessageDifferencer::Equals(domain->event, event));
  pj::FoldEvent fold;
  FUZZ_CHECK(pj::DecodeFoldEvent(bytes, &fold));
  FUZZ_CHECK(fold.payload_case == event.payload_case());
  FUZZ_CHECK(oversight::fuzz::FoldBothWays(fold, recorded.position, state));
  FUZZ_CHECK(state->position() == recorded.position);

  FUZZ_CHECK(world->Record(*d));
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const World& seed = oversight::fuzz::SeedWorld();
  static const v1::ProjectionState* const seed_state =
      new v1::ProjectionState(oversight::fuzz::FoldAll(seed.log));
  static const World* const empty = new World;
  if (size == 0) return 0;
  const bool from_seed = (data[0] & 1) == 0;
  World world(from_seed ? seed : *empty);
  v1::ProjectionState state = from_seed ? *seed_state : v1::ProjectionState();

  google::protobuf::io::CodedInputStream in(data + 1,
                                            static_cast<int>(size - 1));
  bool accepted = false;
  for (int i = 0; i < kMaxCommands; ++i) {
    uint32_t length;
    if (!in.ReadVarint32(&length) || length > size) break;
    const auto limit = in.PushLimit(static_cast<int>(length));
    v1::ImportLine line;
    const bool parsed =
        line.ParseFromCodedStream(&in) && in.ConsumedEntireMessage();
    in.PopLimit(limit);
    if (!parsed) break;
    if (Decide(line, &world, &state)) accepted = true;
  }
  if (accepted && from_seed) {
    pj::ReportRequest request;
    request.review_id = "r";
    request.period = "2025-01";
    request.position = world.log.size();
    FUZZ_CHECK(pj::RenderReport(world.log, request).ok());
  }
  return 0;
}
