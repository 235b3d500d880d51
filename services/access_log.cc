#include "services/access_log.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "eventstore/errors.h"
#include "eventstore/limits.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"
#include "projections/aggregates.h"
#include "projections/domain_errors.h"
#include "projections/status_macros.h"
#include "projections/validation.h"
#include "services/digest.h"
#include "services/query_support.h"

namespace oversight::services {

namespace es = ::oversight::eventstore;
namespace pj = ::oversight::projections;

namespace {

// Events examined per ListAccessLog call, at most.
constexpr size_t kMaxScan = 4096;

absl::Status JustificationInvalid(absl::string_view message) {
  return es::WithReason(absl::InvalidArgumentError(message),
                        kReasonJustificationInvalid);
}

// The code point of the valid UTF-8 sequence at `s[i]`, and its length.
uint32_t DecodeAt(absl::string_view s, size_t i, size_t* len) {
  const auto c = static_cast<unsigned char>(s[i]);
  uint32_t cp;
  if (c < 0x80) {
    *len = 1;
    return c;
  } else if ((c & 0xE0) == 0xC0) {
    *len = 2;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    *len = 3;
    cp = c & 0x0F;
  } else {
    *len = 4;
    cp = c & 0x07;
  }
  for (size_t k = 1; k < *len; ++k) {
    cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  }
  return cp;
}

// White space as projections/validation.cc has it: Unicode's spaces, line
// and paragraph separators, and the zero-width characters.
bool IsSpace(uint32_t cp) {
  return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0xA0 ||
         cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200B) || cp == 0x2028 ||
         cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000 ||
         cp == 0xFEFF;
}

// `text` (valid UTF-8) without the white space around it.
absl::string_view TrimSpace(absl::string_view text) {
  size_t begin = 0;
  while (begin < text.size()) {
    size_t len;
    if (!IsSpace(DecodeAt(text, begin, &len))) break;
    begin += len;
  }
  size_t end = text.size();
  while (end > begin) {
    size_t start = end - 1;
    while (start > begin &&
           (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) {
      --start;
    }
    size_t len;
    if (!IsSpace(DecodeAt(text, start, &len))) break;
    end = start;
  }
  return text.substr(begin, end - begin);
}

// A justification as the call states it, checked and trimmed ("" for
// none).
absl::StatusOr<std::string> NormalizeJustification(absl::string_view value) {
  if (value.size() > kMaxJustificationBytes) {
    return JustificationInvalid(absl::StrCat("the justification has ",
                                             value.size(), " bytes; at most ",
                                             kMaxJustificationBytes));
  }
  size_t chars = 0;
  bool control = false;
  if (!pj::ScanUtf8(value, &chars, &control)) {
    return JustificationInvalid("the justification is not valid UTF-8");
  }
  const absl::string_view text = TrimSpace(value);
  pj::ScanUtf8(text, &chars, &control);
  // One line: ScanUtf8 lets newline and tab through, a justification not;
  // nor the line and paragraph separators.
  for (size_t i = 0; i < text.size() && !control;) {
    size_t len;
    const uint32_t cp = DecodeAt(text, i, &len);
    control = cp == '\n' || cp == '\t' || cp == 0x2028 || cp == 0x2029;
    i += len;
  }
  if (control) {
    return JustificationInvalid(
        "the justification holds a control character; it must be one line "
        "of text");
  }
  return std::string(text);
}

// How many values the call's metadata has under `key`.
size_t MetadataCount(const grpc::ServerContextBase& context,
                     absl::string_view key) {
  return context.client_metadata().count(
      grpc::string_ref(key.data(), key.size()));
}

void SetTimestamp(absl::Time t, google::protobuf::Timestamp* out) {
  const int64_t micros = absl::ToUnixMicros(t);
  int64_t seconds = micros / 1000000;
  int64_t rest = micros % 1000000;
  if (rest < 0) {
    rest += 1000000;
    --seconds;
  }
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>(rest * 1000));
}

// A failed append, as Record reports it.
absl::Status NotRecorded(const absl::Status& appended) {
  const std::string message =
      absl::StrCat("the access could not be recorded, so it is not answered: ",
                   appended.message());
  if (absl::IsInvalidArgument(appended)) {
    return es::WithReason(absl::InvalidArgumentError(message),
                          es::ReasonOf(appended).value_or(
                              std::string(es::kReasonInvalidArgument)));
  }
  std::string reason(es::kReasonStorageUnavailable);
  if (absl::IsUnavailable(appended)) {
    reason = es::ReasonOf(appended).value_or(reason);
  }
  return es::WithReason(absl::UnavailableError(message), reason);
}

// The first revision of `access-log` whose position is past `after` (the
// stream's next revision when none is; 0 when the stream does not exist),
// by binary search over revisions, whose positions only grow.
absl::StatusOr<es::Revision> FirstRevisionAfter(es::EventLog* log,
                                                es::Position after) {
  if (after == 0) return 0;
  absl::StatusOr<es::ReadResult> last = log->ReadStream(
      kAccessLogStream, es::kFromEnd, es::Direction::kBackwards, 1);
  if (absl::IsNotFound(last.status())) return 0;
  if (!last.ok()) return last.status();
  if (last->events.empty()) return 0;
  if (last->events[0].position <= after) return last->events[0].revision + 1;
  es::Revision lo = 0, hi = last->events[0].revision;
  while (lo < hi) {
    const es::Revision mid = lo + (hi - lo) / 2;
    absl::StatusOr<es::ReadResult> at =
        log->ReadStream(kAccessLogStream, mid, es::Direction::kForwards, 1);
    if (!at.ok()) return at.status();
    if (at->events.empty()) {
      return absl::InternalError(absl::StrCat(kAccessLogStream, " revision ",
                                              mid, " could not be read"));
    }
    if (at->events[0].position > after) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return lo;
}

// What ListAccessLog keeps of a request.
struct AccessFilter {
  const v1::ListAccessLogRequest* request;
  int64_t from = std::numeric_limits<int64_t>::min();
  int64_t to = std::numeric_limits<int64_t>::max();

  bool Admits(const v1::DomainEvent& e) const {
    const v1::Actor& actor = e.actor();
    const std::string& agency = request->agency_id();
    if (!agency.empty() && actor.agency_id() != agency &&
        actor.recorded_by_agency_id() != agency) {
      return false;
    }
    if (!request->person().empty() && actor.person() != request->person()) {
      return false;
    }
    const int64_t occurred = Micros(e.occurred_at());
    if (occurred < from || occurred >= to) return false;
    return request->kind() == v1::ACCESS_KIND_UNSPECIFIED ||
           e.access_recorded().kind() == request->kind();
  }
};

// The access recorded in `recorded`, or nullopt if it is not one that
// Record wrote: another type, not a DomainEvent with an AccessRecorded
// payload, or an event id other than the one its request id gives.
std::optional<v1::DomainEvent> AccessOf(const es::RecordedEvent& recorded) {
  if (recorded.type != kAccessRecordedType) return std::nullopt;
  v1::DomainEvent event;
  if (!event.ParseFromString(recorded.data) || !event.has_access_recorded() ||
      recorded.id != AccessLog::AccessEventId(event.request_id())) {
    return std::nullopt;
  }
  return event;
}

}  // namespace

absl::StatusOr<std::string> JustificationOf(
    const grpc::ServerContextBase& context) {
  const size_t ascii = MetadataCount(context, kJustificationMetadataKey);
  const size_t binary = MetadataCount(context, kJustificationBinMetadataKey);
  if (ascii + binary == 0) return std::string();
  if (ascii + binary > 1) {
    return JustificationInvalid(absl::StrCat(
        "give the justification once, in ", kJustificationMetadataKey,
        " (ASCII) or ", kJustificationBinMetadataKey, " (UTF-8), not both"));
  }
  const absl::string_view key =
      ascii == 1 ? kJustificationMetadataKey : kJustificationBinMetadataKey;
  auto it =
      context.client_metadata().find(grpc::string_ref(key.data(), key.size()));
  return NormalizeJustification(
      absl::string_view(it->second.data(), it->second.size()));
}

AccessLog::AccessLog(es::EventLog* log, std::function<absl::Time()> clock)
    : log_(log),
      clock_(clock ? std::move(clock)
                   : std::function<absl::Time()>(absl::Now)) {}

es::EventId AccessLog::AccessEventId(absl::string_view request_id) {
  const std::string digest =
      Sha256Of(absl::StrCat("oversight.v1 access\n", request_id));
  std::array<uint8_t, 16> bytes;
  std::memcpy(bytes.data(), digest.data(), bytes.size());
  bytes[6] = static_cast<uint8_t>((bytes[6] & 0x0F) | 0x80);  // version 8
  bytes[8] = static_cast<uint8_t>((bytes[8] & 0x3F) | 0x80);  // RFC 4122
  return es::EventId(bytes);
}

absl::StatusOr<uint64_t> AccessLog::Record(const Caller& caller,
                                           Access access) const {
  if (access.kind != v1::ACCESS_KIND_CONSULTATION &&
      access.kind != v1::ACCESS_KIND_DISCLOSURE) {
    return absl::InternalError(
        "an access to record must be a consultation or a disclosure");
  }
  if (access.method.empty()) {
    return absl::InternalError("an access to record must name its method");
  }
  if (caller.actor.agency_id().empty() || caller.actor.person().empty()) {
    return absl::InternalError(
        "an access to record must have an identified caller");
  }
  ASSIGN_OR_RETURN(std::string justification,
                   NormalizeJustification(access.justification));
  if (access.recipients.size() > static_cast<size_t>(kMaxRecipients)) {
    return pj::InvalidArgument(
        pj::kReasonTooManyItems,
        absl::StrCat("recipients has ", access.recipients.size(),
                     " entries; at most ", kMaxRecipients));
  }
  for (size_t i = 0; i < access.recipients.size(); ++i) {
    RETURN_IF_ERROR(pj::CheckPlainText(absl::StrCat("recipients[", i, "]"),
                                       access.recipients[i], pj::kMaxNameChars,
                                       true));
  }
  std::sort(access.positions.begin(), access.positions.end());
  access.positions.erase(
      std::unique(access.positions.begin(), access.positions.end()),
      access.positions.end());

  v1::DomainEvent event;
  SetTimestamp(clock_(), event.mutable_occurred_at());
  event.set_classification(v1::CLASSIFICATION_OFFICIAL);
  *event.mutable_actor() = caller.actor;
  event.set_request_id(es::EventId::Random().ToString());
  v1::AccessRecorded* payload = event.mutable_access_recorded();
  payload->set_kind(access.kind);
  payload->set_method(std::move(access.method));
  payload->set_query(std::move(access.query));
  payload->mutable_positions()->Add(access.positions.begin(),
                                    access.positions.end());
  payload->set_justification(std::move(justification));
  for (std::string& r : access.recipients) {
    payload->add_recipients(std::move(r));
  }
  payload->set_role(std::string(RoleName(caller.role)));

  es::ProposedEvent proposed;
  proposed.id = AccessEventId(event.request_id());
  proposed.type = pj::EventTypeName(event);
  proposed.data = SerializeDeterministic(event);
  std::vector<es::ProposedEvent> events;
  events.push_back(std::move(proposed));
  absl::StatusOr<es::AppendResult> appended = log_->Append(
      kAccessLogStream, es::ExpectedRevision::Any(), std::move(events));
  if (!appended.ok()) return NotRecorded(appended.status());
  return appended->first_position;
}

std::string AccessLog::QueryText(const google::protobuf::Message& request) {
  std::unique_ptr<google::protobuf::Message> copy(request.New());
  copy->CopyFrom(request);
  const google::protobuf::Descriptor* descriptor = copy->GetDescriptor();
  const google::protobuf::Reflection* reflection = copy->GetReflection();
  for (const char* paging : {"page_token", "page_size", "min_position"}) {
    if (const google::protobuf::FieldDescriptor* field =
            descriptor->FindFieldByName(paging)) {
      reflection->ClearField(copy.get(), field);
    }
  }
  // Fields come in field-number order; no request has a map field, whose
  // entries would come in the order of a serialisation.
  std::string text;
  if (!google::protobuf::util::MessageToJsonString(*copy, &text).ok()) {
    text.clear();
    google::protobuf::TextFormat::Printer printer;
    printer.SetSingleLineMode(true);
    printer.PrintToString(*copy, &text);
    while (!text.empty() && text.back() == ' ') text.pop_back();
  }
  if (text.size() > kMaxQueryTextBytes) {
    const size_t full = text.size();
    size_t cut = kMaxQueryTextBytes;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
      --cut;
    }
    text.resize(cut);
    absl::StrAppend(&text, "... [cut: ", full, " bytes in all]");
  }
  return text;
}

absl::Status ListAccessLog(es::EventLog* log, const PageTokens& tokens,
                           const v1::ListAccessLogRequest& request,
                           v1::ListAccessLogResponse* response) {
  if (request.page_size() < 0 || request.page_size() > kMaxAccessLogPageSize) {
    return es::WithReason(
        absl::InvalidArgumentError(absl::StrCat(
            "page_size must be 0 (default ", kDefaultAccessLogPageSize, ") to ",
            kMaxAccessLogPageSize, ", not ", request.page_size())),
        kReasonInvalidPageSize);
  }
  const size_t page_size = request.page_size() == 0
                               ? kDefaultAccessLogPageSize
                               : static_cast<size_t>(request.page_size());
  if (!request.agency_id().empty()) {
    RETURN_IF_ERROR(pj::CheckId("agency_id", request.agency_id()));
  }
  if (!request.person().empty()) {
    RETURN_IF_ERROR(pj::CheckPlainText("person", request.person(),
                                       pj::kMaxPersonChars, true));
  }
  AccessFilter filter{&request};
  if (request.has_from()) {
    RETURN_IF_ERROR(CheckTimestamp("from", request.from()));
    filter.from = Micros(request.from());
  }
  if (request.has_to()) {
    RETURN_IF_ERROR(CheckTimestamp("to", request.to()));
    filter.to = Micros(request.to());
  }
  if (filter.from > filter.to) {
    return es::WithReason(
        absl::InvalidArgumentError("from is after to: the period is empty"),
        es::kReasonInvalidRange);
  }
  if (!v1::AccessKind_IsValid(request.kind())) {
    return pj::InvalidArgument(
        pj::kReasonInvalidEnum,
        absl::StrCat("kind ", request.kind(), " is not an AccessKind"));
  }

  const std::string digest = PageTokens::FilterDigest(request);
  PageTokens::Page page{0, log->Head().position};
  if (!request.page_token().empty()) {
    ASSIGN_OR_RETURN(page, tokens.Read(request.page_token(), digest));
  }
  ASSIGN_OR_RETURN(es::Revision next,
                   FirstRevisionAfter(log, page.after_position));

  std::vector<v1::AccessLogEntry> entries;
  es::Position last_examined = page.after_position;
  size_t examined = 0;
  bool more = false;
  bool done = false;
  while (!done) {
    absl::StatusOr<es::ReadResult> read =
        log->ReadStream(kAccessLogStream, next, es::Direction::kForwards,
                        std::min(es::kMaxReadCount, page_size + 1));
    if (absl::IsNotFound(read.status())) break;  // no access yet
    if (!read.ok()) return read.status();
    for (const es::RecordedEvent& e : read->events) {
      if (e.position > page.pinned_position) {
        done = true;
        break;
      }
      if (entries.size() == page_size || examined == kMaxScan) {
        more = true;  // `e` is for the next page
        done = true;
        break;
      }
      ++examined;
      last_examined = e.position;
      std::optional<v1::DomainEvent> access = AccessOf(e);
      if (!access.has_value() || !filter.Admits(*access)) continue;
      v1::AccessLogEntry& entry = entries.emplace_back();
      entry.set_position(e.position);
      entry.set_hash(es::HashToHex(e.hash));
      SetTimestamp(e.recorded_at, entry.mutable_recorded_at());
      *entry.mutable_event() = *std::move(access);
    }
    if (done || read->end_reached || read->events.empty()) break;
    next = read->next;
  }

  for (v1::AccessLogEntry& entry : entries) {
    *response->add_entries() = std::move(entry);
  }
  if (more) {
    response->set_next_page_token(
        tokens.Issue({last_examined, page.pinned_position}, digest));
  }
  response->mutable_reflects()->set_position(page.pinned_position);
  return absl::OkStatus();
}

}  // namespace oversight::services
