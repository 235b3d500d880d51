// Bad input, everywhere (issue 8): a table of bad requests for every RPC of
// every service, sent over real gRPC to one in-process server as the roles
// the RPCs allow. Each row is a request that is valid but for one defect
// (missing and empty fields, over-long text, invalid UTF-8 sent as raw
// bytes, unknown enum numbers, bad page sizes, forged page tokens, as_of in
// the future, a deadline already expired, a stream cancelled mid-way, a
// subscriber that never reads) and must be answered with the documented
// code and reason, write nothing, and leave the server answering. The
// methods come from the services' descriptors: an RPC without rows fails
// the test. Last, each RPC's base request is sent as it is and must
// succeed, so every row's refusal is its defect's.

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "eventstore/errors.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/impl/codegen/client_unary_call.h"
#include "grpcpp/impl/codegen/sync_stream.h"
#include "oversight/v1/admin.grpc.pb.h"
#include "oversight/v1/commands.grpc.pb.h"
#include "oversight/v1/eventstore.grpc.pb.h"
#include "oversight/v1/queries.grpc.pb.h"
#include "tests/services/command_fixture.h"

namespace oversight::services {
namespace {

namespace gpb = ::google::protobuf;
using Code = grpc::StatusCode;

// A string a row puts in a text field where it wants invalid UTF-8: the
// request is serialised with it, then it is replaced, byte for byte, by
// as many bytes that are not UTF-8 (an overlong '/', a surrogate, 0xFF...),
// so that protobuf's own checks on serialising never see them.
constexpr char kBadUtf8Marker[] = "~~BAD-UTF8~~";
constexpr char kBadUtf8Bytes[] =
    "\xC0\xAF\xED\xA0\x80\xFF\xFE\x80\xC3\x28\xF8\x88";
static_assert(sizeof(kBadUtf8Marker) == sizeof(kBadUtf8Bytes));

const gpb::ServiceDescriptor& ServiceNamed(const char* full_name) {
  const gpb::ServiceDescriptor* service =
      gpb::DescriptorPool::generated_pool()->FindServiceByName(full_name);
  EXPECT_NE(service, nullptr) << full_name;
  return *service;
}

std::vector<const gpb::ServiceDescriptor*> Services() {
  return {&ServiceNamed(v1::Commands::service_full_name()),
          &ServiceNamed(v1::Queries::service_full_name()),
          &ServiceNamed(v1::EventStore::service_full_name()),
          &ServiceNamed(v1::Admin::service_full_name())};
}

// ------------------------------------------------------ editing requests

// Walks `path` ("update.bullets[0].text.en") from `msg` to the message
// holding its last field, creating sub-messages (and repeated elements)
// on the way; returns that message and sets *field and *index (-1 when
// the field is not repeated or no index is given).
gpb::Message* Walk(gpb::Message* msg, const std::string& path,
                   const gpb::FieldDescriptor** field, int* index) {
  std::vector<std::string> parts = absl::StrSplit(path, '.');
  for (size_t i = 0; i < parts.size(); ++i) {
    std::string name = parts[i];
    int at = -1;
    if (const size_t open = name.find('['); open != std::string::npos) {
      at = std::stoi(name.substr(open + 1));
      name = name.substr(0, open);
    }
    const gpb::FieldDescriptor* f = msg->GetDescriptor()->FindFieldByName(name);
    if (f == nullptr) {
      ADD_FAILURE() << "no field " << name << " in "
                    << msg->GetDescriptor()->full_name();
      return nullptr;
    }
    const gpb::Reflection* r = msg->GetReflection();
    if (i + 1 == parts.size()) {
      *field = f;
      *index = at;
      if (f->is_repeated() && at >= 0) {
        while (r->FieldSize(*msg, f) <= at) {
          if (f->cpp_type() == gpb::FieldDescriptor::CPPTYPE_MESSAGE) {
            r->AddMessage(msg, f);
          } else if (f->cpp_type() == gpb::FieldDescriptor::CPPTYPE_STRING) {
            r->AddString(msg, f, "");
          } else {
            r->AddInt32(msg, f, 0);
          }
        }
      }
      return msg;
    }
    if (f->is_repeated()) {
      if (at < 0) at = 0;
      while (r->FieldSize(*msg, f) <= at) r->AddMessage(msg, f);
      msg = r->MutableRepeatedMessage(msg, f, at);
    } else {
      msg = r->MutableMessage(msg, f);
    }
  }
  return nullptr;
}

using Patch = std::function<void(gpb::Message*)>;

// Sets a string field (repeated: element [i], or one more element).
Patch Str(std::string path, std::string value) {
  return [path, value](gpb::Message* m) {
    const gpb::FieldDescriptor* f;
    int i;
    gpb::Message* at = Walk(m, path, &f, &i);
    if (at == nullptr) return;
    const gpb::Reflection* r = at->GetReflection();
    if (!f->is_repeated()) {
      r->SetString(at, f, value);
    } else if (i >= 0) {
      r->SetRepeatedString(at, f, i, value);
    } else {
      r->AddString(at, f, value);
    }
  };
}

// Sets a number or enum field to `value`, any number (an enum's unknown
// numbers too: proto3 enums are open).
Patch Num(std::string path, int64_t value) {
  return [path, value](gpb::Message* m) {
    const gpb::FieldDescriptor* f;
    int i;
    gpb::Message* at = Walk(m, path, &f, &i);
    if (at == nullptr) return;
    const gpb::Reflection* r = at->GetReflection();
    switch (f->cpp_type()) {
      case gpb::FieldDescriptor::CPPTYPE_INT32:
        if (f->is_repeated()) {
          i >= 0 ? r->SetRepeatedInt32(at, f, i, static_cast<int32_t>(value))
                 : r->AddInt32(at, f, static_cast<int32_t>(value));
        } else {
          r->SetInt32(at, f, static_cast<int32_t>(value));
        }
        break;
      case gpb::FieldDescriptor::CPPTYPE_INT64:
        r->SetInt64(at, f, value);
        break;
      case gpb::FieldDescriptor::CPPTYPE_UINT32:
        r->SetUInt32(at, f, static_cast<uint32_t>(value));
        break;
      case gpb::FieldDescriptor::CPPTYPE_UINT64:
        r->SetUInt64(at, f, static_cast<uint64_t>(value));
        break;
      case gpb::FieldDescriptor::CPPTYPE_ENUM:
        r->SetEnumValue(at, f, static_cast<int>(value));
        break;
      default:
        ADD_FAILURE() << path << " is not a number";
    }
  };
}

Patch Clear(std::string path) {
  return [path](gpb::Message* m) {
    const gpb::FieldDescriptor* f;
    int i;
    gpb::Message* at = Walk(m, path, &f, &i);
    if (at != nullptr) at->GetReflection()->ClearField(at, f);
  };
}

Patch Both(Patch a, Patch b) {
  return [a, b](gpb::Message* m) {
    a(m);
    b(m);
  };
}

// Adds `n` copies of element 0 of the repeated message field `path`.
Patch Repeat(std::string path, int n) {
  return [path, n](gpb::Message* m) {
    const gpb::FieldDescriptor* f;
    int i;
    gpb::Message* at = Walk(m, path + "[0]", &f, &i);
    if (at == nullptr) return;
    const gpb::Reflection* r = at->GetReflection();
    if (f->cpp_type() == gpb::FieldDescriptor::CPPTYPE_MESSAGE) {
      std::unique_ptr<gpb::Message> first(
          r->GetRepeatedMessage(*at, f, 0).New());
      first->CopyFrom(r->GetRepeatedMessage(*at, f, 0));
      for (int k = 0; k < n; ++k) r->AddMessage(at, f)->CopyFrom(*first);
    } else if (f->cpp_type() == gpb::FieldDescriptor::CPPTYPE_STRING) {
      const std::string first = r->GetRepeatedString(*at, f, 0);
      for (int k = 0; k < n; ++k) r->AddString(at, f, first);
    }
  };
}

// A timestamp field set to `seconds` and `nanos`.
Patch Time(const std::string& path, int64_t seconds, int64_t nanos = 0) {
  return Both(Num(path + ".seconds", seconds), Num(path + ".nanos", nanos));
}

std::string Long(size_t n, char c = 'a') { return std::string(n, c); }

// ----------------------------------------------------------------- rows

enum class How {
  kCall,             // send the request, read the answer
  kExpired,          // the deadline passed before the call
  kCancelMidStream,  // start, take one answer, cancel
  kNeverRead,        // a stream whose client never reads while writes go on
};

struct Case {
  std::string label;
  Patch patch;  // applied to the RPC's base request; may be null
  Code code;
  std::string reason;  // the oversight-reason expected; "" for none
  How how = How::kCall;
  std::string raw;  // when set: these bytes are sent, not the request
  bool raw_set = false;
  absl::Duration timeout = absl::Seconds(20);
};

Case Row(std::string label, Patch patch, Code code, std::string reason) {
  Case c;
  c.label = std::move(label);
  c.patch = std::move(patch);
  c.code = code;
  c.reason = std::move(reason);
  return c;
}

Case Raw(std::string label, std::string bytes, Code code, std::string reason) {
  Case c = Row(std::move(label), nullptr, code, std::move(reason));
  c.raw = std::move(bytes);
  c.raw_set = true;
  return c;
}

Case Special(std::string label, How how, Code code, Patch patch = nullptr) {
  Case c = Row(std::move(label), std::move(patch), code, "");
  c.how = how;
  return c;
}

struct Rpc {
  std::string service;  // "Commands"
  std::string method;   // "RegisterAgency"
  std::string agency;   // who calls
  std::string role;
  std::string base_json;  // a valid request, in the final pass too
  std::vector<Case> cases;
};

// Bytes that are no protobuf message: a field number 0 with wire type 7.
const std::string& Garbage() {
  static const std::string* bytes = new std::string("\x07\xff\xff\xff", 4);
  return *bytes;
}

// Rows every command takes: its common fields and the call itself.
std::vector<Case> CommonCommandCases(const std::string& payload,
                                     const std::string& missing) {
  return {
      Raw("empty request", "", Code::INVALID_ARGUMENT, "MISSING_FIELD"),
      Row("request_id empty", Str("request_id", ""), Code::INVALID_ARGUMENT,
          "MISSING_FIELD"),
      Row("request_id over 128", Str("request_id", Long(129)),
          Code::INVALID_ARGUMENT, "INVALID_REQUEST_ID"),
      Row("request_id with a space", Str("request_id", "a b"),
          Code::INVALID_ARGUMENT, "INVALID_REQUEST_ID"),
      Row("request_id not UTF-8", Str("request_id", kBadUtf8Marker),
          Code::INVALID_ARGUMENT, "MALFORMED_REQUEST"),
      Row("classification unspecified", Num("classification", 0),
          Code::INVALID_ARGUMENT, "INVALID_ENUM_VALUE"),
      Row("classification unknown", Num("classification", 99),
          Code::INVALID_ARGUMENT, "INVALID_ENUM_VALUE"),
      Row("classification negative", Num("classification", -1),
          Code::INVALID_ARGUMENT, "INVALID_ENUM_VALUE"),
      Row("occurred_at in the future",
          Time("occurred_at", absl::ToUnixSeconds(TestNow()) + 3600),
          Code::INVALID_ARGUMENT, "OCCURRED_IN_FUTURE"),
      Row("occurred_at negative nanos", Time("occurred_at", 1700000000, -1),
          Code::INVALID_ARGUMENT, "INVALID_TIMESTAMP"),
      Row("occurred_at past year 9999", Time("occurred_at", 253402300800),
          Code::INVALID_ARGUMENT, "INVALID_TIMESTAMP"),
      Row("payload missing", Clear(payload), Code::INVALID_ARGUMENT, missing),
      Raw("malformed bytes", Garbage(), Code::INVALID_ARGUMENT,
          "MALFORMED_REQUEST"),
      Special("deadline already expired", How::kExpired,
              Code::DEADLINE_EXCEEDED),
  };
}

std::string Common(const std::string& request_id) {
  return absl::StrCat(R"("requestId": ")", request_id,
                      R"(", "classification": "CLASSIFICATION_OFFICIAL", )");
}

// The role the test's agencies call with, as CommandTest gives them.
std::string RoleOf(const std::string& agency) {
  if (agency == "opcc") return "reviewing-body";
  if (agency == "partner") return "partner";
  if (agency == "auditor") return "auditor";
  if (agency == ServiceTest::kOperatorAgency) return "operator";
  return "force";
}

// `missing`: the reason for the request without its payload (the first
// field the command checks).
Rpc Command(std::string method, std::string agency, const std::string& payload,
            const std::string& json, std::vector<Case> specific,
            const std::string& missing = "MISSING_FIELD") {
  Rpc rpc{"Commands",
          method,
          agency,
          RoleOf(agency),
          absl::StrCat("{", Common("base-" + method), R"(")", payload, R"(": )",
                       json, "}"),
          CommonCommandCases(payload, missing)};
  for (Case& c : specific) rpc.cases.push_back(std::move(c));
  return rpc;
}

// Text rows for a LocalizedText at `path` (required English, at most
// `max` characters).
std::vector<Case> TextCases(const std::string& path, size_t max) {
  return {
      Row(path + ".en blank", Str(path + ".en", " \t\n"),
          Code::INVALID_ARGUMENT, "MISSING_FIELD"),
      Row(path + ".en over the limit", Str(path + ".en", Long(max + 1)),
          Code::INVALID_ARGUMENT, "TEXT_TOO_LONG"),
      Row(path + ".en over the limit in characters",
          Str(path + ".en", absl::StrCat(Long(max, 'x'), "\xC3\xA9")),
          Code::INVALID_ARGUMENT, "TEXT_TOO_LONG"),
      Row(path + ".en with a control character", Str(path + ".en", "a\x01z"),
          Code::INVALID_ARGUMENT, "INVALID_TEXT"),
      Row(path + ".en with a bidi override",
          Str(path + ".en", "a\xE2\x80\xAEz"), Code::INVALID_ARGUMENT,
          "INVALID_TEXT"),
      Row(path + ".en not UTF-8", Str(path + ".en", kBadUtf8Marker),
          Code::INVALID_ARGUMENT, "MALFORMED_REQUEST"),
      Row(path + ".cy without English",
          Both(Str(path + ".en", ""), Str(path + ".cy", "Testun")),
          Code::INVALID_ARGUMENT, "MISSING_FIELD"),
  };
}

std::vector<Case> IdCases(const std::string& path) {
  return {
      Row(path + " empty", Str(path, ""), Code::INVALID_ARGUMENT,
          "MISSING_FIELD"),
      Row(path + " over 64", Str(path, Long(65)), Code::INVALID_ARGUMENT,
          "INVALID_ID"),
      Row(path + " upper case", Str(path, "Review"), Code::INVALID_ARGUMENT,
          "INVALID_ID"),
      Row(path + " starting with '-'", Str(path, "-r"), Code::INVALID_ARGUMENT,
          "INVALID_ID"),
  };
}

// Ids inside an aggregate. An id the command creates may be left empty (it
// defaults to the request id); one it refers to is required.
std::vector<Case> EntityIdCases(const std::string& path, bool required = true) {
  std::vector<Case> cases = {
      Row(path + " over 128", Str(path, Long(129)), Code::INVALID_ARGUMENT,
          "INVALID_ID"),
      Row(path + " with '/'", Str(path, "a/b"), Code::INVALID_ARGUMENT,
          "INVALID_ID"),
  };
  if (required) {
    cases.push_back(Row(path + " empty", Str(path, ""), Code::INVALID_ARGUMENT,
                        "MISSING_FIELD"));
  }
  return cases;
}

std::vector<Case> NumberCases(const std::string& path) {
  return {
      Row(path + " zero", Num(path, 0), Code::INVALID_ARGUMENT,
          "INVALID_NUMBER"),
      Row(path + " negative", Num(path, -1), Code::INVALID_ARGUMENT,
          "INVALID_NUMBER"),
      Row(path + " over 9999", Num(path, 10000), Code::INVALID_ARGUMENT,
          "INVALID_NUMBER"),
      Row(path + " INT32_MIN", Num(path, INT32_MIN), Code::INVALID_ARGUMENT,
          "INVALID_NUMBER"),
  };
}

std::vector<Case> EnumCases(const std::string& path) {
  return {
      Row(path + " unspecified", Num(path, 0), Code::INVALID_ARGUMENT,
          "INVALID_ENUM_VALUE"),
      Row(path + " unknown", Num(path, 99), Code::INVALID_ARGUMENT,
          "INVALID_ENUM_VALUE"),
      Row(path + " negative", Num(path, -7), Code::INVALID_ARGUMENT,
          "INVALID_ENUM_VALUE"),
  };
}

std::vector<Case> PeriodCases(const std::string& path) {
  return {
      Row(path + " empty", Str(path, ""), Code::INVALID_ARGUMENT,
          "MISSING_FIELD"),
      Row(path + " month 13", Str(path, "2025-13"), Code::INVALID_ARGUMENT,
          "INVALID_PERIOD"),
      Row(path + " a full date", Str(path, "2025-01-01"),
          Code::INVALID_ARGUMENT, "INVALID_PERIOD"),
  };
}

std::vector<Case> Join(std::vector<std::vector<Case>> groups) {
  std::vector<Case> all;
  for (auto& g : groups) {
    for (Case& c : g) all.push_back(std::move(c));
  }
  return all;
}

// A link at `path` with a title and a URL, so that one more defect is the
// only one.
Patch WithLink(const std::string& path, Patch defect) {
  return Both(Both(Str(path + ".title.en", "Report"),
                   Str(path + ".url", "https://example.org/r")),
              std::move(defect));
}

std::vector<Rpc> CommandRpcs() {
  const std::string bullets = R"("bullets": [{"text": {"en": "Done"}}])";
  return {
      Command("RegisterAgency", "opcc", "agency",
              R"({"agencyId": "newcomer", "name": {"en": "Newcomer"},
                  "kind": "AGENCY_KIND_PARTNER"})",
              Join({IdCases("agency.agency_id"), TextCases("agency.name", 500),
                    EnumCases("agency.kind")})),
      Command(
          "OpenReview", "opcc", "review",
          R"({"reviewId": "r2", "title": {"en": "R2"},
              "question": {"en": "Is it?"}, "openedOn": "2024",
              "themes": [{"id": "a", "name": {"en": "A"}}]})",
          Join({IdCases("review.review_id"),
                TextCases("review.title", 500),
                IdCases("review.themes[0].id"),
                {Row("opened_on not a date",
                     Str("review.opened_on", "2024-02-30"),
                     Code::INVALID_ARGUMENT, "INVALID_DATE"),
                 Row("full_report url not http",
                     WithLink("review.full_report",
                              Str("review.full_report.url", "javascript:x")),
                     Code::INVALID_ARGUMENT, "INVALID_URL"),
                 Row("full_report url over 2048",
                     WithLink("review.full_report",
                              Str("review.full_report.url",
                                  "https://x/" + Long(2040))),
                     Code::INVALID_ARGUMENT, "INVALID_URL"),
                 Row("full_report sha256 not hex",
                     WithLink("review.full_report",
                              Str("review.full_report.sha256", Long(64, 'G'))),
                     Code::INVALID_ARGUMENT, "INVALID_SHA256")}})),
      Command("IssueRecommendation", "opcc", "recommendation",
              R"({"reviewId": "r", "number": 9, "themeId": "a",
                  "text": {"en": "Nine"}, "owningAgencyId": "police"})",
              Join({IdCases("recommendation.review_id"),
                    NumberCases("recommendation.number"),
                    TextCases("recommendation.text", 4000),
                    IdCases("recommendation.owning_agency_id")})),
      Command("OpenReportingPeriod", "opcc", "period",
              R"({"reviewId": "r", "period": "2025-07"})",
              Join({IdCases("period.review_id"),
                    PeriodCases("period.period"),
                    {Row("submissions_due_on not a date",
                         Str("period.submissions_due_on", "soon"),
                         Code::INVALID_ARGUMENT, "INVALID_DATE")}})),
      Command(
          "CloseReportingPeriod", "opcc", "period",
          R"({"reviewId": "r", "period": "2024-07"})",
          Join({IdCases("period.review_id"), PeriodCases("period.period")})),
      Command(
          "SubmitProgressUpdate", "police", "update",
          absl::StrCat(R"({"reviewId": "r", "number": 1,
                  "updateId": "base-update", "period": "2025-01", )",
                       bullets, "}"),
          Join({IdCases("update.review_id"),
                NumberCases("update.number"),
                EntityIdCases("update.update_id", false),
                PeriodCases("update.period"),
                TextCases("update.bullets[0].text", 4000),
                TextCases("update.bullets[0].sub_bullets[0]", 4000),
                {Row("no bullets", Clear("update.bullets"),
                     Code::INVALID_ARGUMENT, "MISSING_FIELD"),
                 Row("51 bullets", Repeat("update.bullets", 50),
                     Code::INVALID_ARGUMENT, "TOO_MANY_BULLETS"),
                 Row("101 evidence links",
                     WithLink("update.evidence[0]",
                              Repeat("update.evidence", 100)),
                     Code::INVALID_ARGUMENT, "TOO_MANY_ITEMS"),
                 Row("evidence url not UTF-8",
                     WithLink("update.evidence[0]",
                              Str("update.evidence[0].url", kBadUtf8Marker)),
                     Code::INVALID_ARGUMENT, "MALFORMED_REQUEST"),
                 Row("unknown review", Str("update.review_id", "nowhere"),
                     Code::NOT_FOUND, "REVIEW_NOT_FOUND")}})),
      Command("CorrectProgressUpdate", "police", "correction",
              absl::StrCat(R"({"reviewId": "r", "number": 1,
                  "updateId": "base-update", "reason": {"en": "Typo"}, )",
                           bullets, "}"),
              Join({IdCases("correction.review_id"),
                    NumberCases("correction.number"),
                    EntityIdCases("correction.update_id"),
                    TextCases("correction.reason", 4000),
                    TextCases("correction.bullets[0].text", 4000),
                    {Row("unknown update",
                         Str("correction.update_id", "no-such-update"),
                         Code::NOT_FOUND, "UPDATE_NOT_FOUND")}})),
      Command("WithdrawProgressUpdate", "police", "withdrawal",
              R"({"reviewId": "r", "number": 1, "updateId": "base-update",
                  "reason": {"en": "Sent twice"}})",
              Join({IdCases("withdrawal.review_id"),
                    NumberCases("withdrawal.number"),
                    EntityIdCases("withdrawal.update_id"),
                    TextCases("withdrawal.reason", 4000)})),
      Command("AssignRating", "opcc", "rating",
              R"({"reviewId": "r", "number": 1, "period": "2025-01",
                  "rating": "RATING_AMBER", "rationale": {"en": "Because"}})",
              Join({IdCases("rating.review_id"), NumberCases("rating.number"),
                    PeriodCases("rating.period"), EnumCases("rating.rating"),
                    TextCases("rating.rationale", 4000)})),
      Command(
          "RecordMonitoringActivity", "opcc", "activity",
          R"({"reviewId": "r", "number": 1, "activityId": "act-1",
                  "period": "2025-01", "description": {"en": "Check"}})",
          Join({IdCases("activity.review_id"),
                NumberCases("activity.number"),
                EntityIdCases("activity.activity_id", false),
                PeriodCases("activity.period"),
                TextCases("activity.description", 4000),
                {Row("due_on not a date", Str("activity.due_on", "2025-06-31"),
                     Code::INVALID_ARGUMENT, "INVALID_DATE")}})),
      Command("CompleteMonitoringActivity", "opcc", "completion",
              R"({"reviewId": "r", "number": 1, "activityId": "act-1",
                  "outcome": {"en": "Checked"}})",
              Join({IdCases("completion.review_id"),
                    NumberCases("completion.number"),
                    EntityIdCases("completion.activity_id"),
                    TextCases("completion.outcome", 4000)})),
      Command("RecordMeetingObserved", "opcc", "meeting",
              R"({"reviewId": "r", "meetingId": "meet-1",
                  "kind": "MEETING_KIND_GOVERNANCE_BOARD",
                  "title": {"en": "Board"}, "heldOn": "2025-05-01",
                  "findings": [{"en": "Fine"}], "relatedRecommendations": [1]})",
              Join({IdCases("meeting.review_id"),
                    EntityIdCases("meeting.meeting_id", false),
                    EnumCases("meeting.kind"),
                    TextCases("meeting.title", 500),
                    TextCases("meeting.findings[0]", 4000),
                    NumberCases("meeting.related_recommendations[0]"),
                    {Row("held_on in the future",
                         Str("meeting.held_on", "2026-01-01"),
                         Code::INVALID_ARGUMENT, "DATE_IN_FUTURE"),
                     Row("a recommendation twice",
                         Num("meeting.related_recommendations", 1),
                         Code::INVALID_ARGUMENT, "DUPLICATE_VALUE")}})),
      Command(
          "RaiseRisk", "police", "risk",
          R"({"reviewId": "r", "riskId": "risk-police",
                  "category": "RISK_CATEGORY_FUNDING",
                  "description": {"en": "Money"}, "relatedRecommendations": [1]})",
          Join({IdCases("risk.review_id"), EntityIdCases("risk.risk_id", false),
                EnumCases("risk.category"), TextCases("risk.description", 4000),
                NumberCases("risk.related_recommendations[0]")})),
      Command("ResolveRisk", "police", "resolution",
              R"({"reviewId": "r", "riskId": "risk-police",
                  "resolution": {"en": "Funded"}})",
              Join({IdCases("resolution.review_id"),
                    EntityIdCases("resolution.risk_id"),
                    TextCases("resolution.resolution", 4000)})),
      Command("RegisterProgramme", "partner", "programme",
              R"({"programmeId": "pilot", "name": {"en": "Pilot"},
                  "owningAgencyId": "partner", "reviewId": "r",
                  "startedOn": "2024-09-01"})",
              Join({IdCases("programme.programme_id"),
                    TextCases("programme.name", 500),
                    IdCases("programme.owning_agency_id"),
                    {Row("started_on not a date",
                         Str("programme.started_on", "2024-9-1"),
                         Code::INVALID_ARGUMENT, "INVALID_DATE")}})),
      Command(
          "SubmitPartnerReport", "partner", "report",
          R"({"programmeId": "pilot", "reportId": "q4", "quarter": "2024-Q4",
                  "figures": [{"key": "victims_supported", "value": "5",
                               "label": {"en": "Victims supported"}}]})",
          Join({IdCases("report.programme_id"),
                EntityIdCases("report.report_id", false),
                TextCases("report.figures[0].label", 500),
                {Row("quarter Q5", Str("report.quarter", "2024-Q5"),
                     Code::INVALID_ARGUMENT, "INVALID_QUARTER"),
                 Row("quarter empty", Str("report.quarter", ""),
                     Code::INVALID_ARGUMENT, "MISSING_FIELD"),
                 Row("figure negative", Num("report.figures[0].value", -1),
                     Code::INVALID_ARGUMENT, "INVALID_NUMBER"),
                 Row("figure key upper case",
                     Str("report.figures[0].key", "Victims"),
                     Code::INVALID_ARGUMENT, "INVALID_ID")}})),
      Command("RecordCrossReference", "police", "cross_reference",
              R"({"reviewId": "r", "number": 1, "referenceId": "x-1",
                  "kind": "CROSS_REFERENCE_KIND_FORCE_DEVELOPMENT_PLAN",
                  "title": {"en": "The plan"}})",
              Join({IdCases("cross_reference.review_id"),
                    NumberCases("cross_reference.number"),
                    EntityIdCases("cross_reference.reference_id", false),
                    EnumCases("cross_reference.kind"),
                    TextCases("cross_reference.title", 500),
                    {Row("url not http", Str("cross_reference.url", "ftp://x"),
                         Code::INVALID_ARGUMENT, "INVALID_URL")}}),
              "INVALID_ENUM_VALUE"),
      Command("CloseRecommendation", "opcc", "closure",
              R"({"reviewId": "r", "number": 2, "decidedBy": "Commissioner",
                  "rationale": {"en": "Done"}})",
              Join({IdCases("closure.review_id"),
                    NumberCases("closure.number"),
                    TextCases("closure.rationale", 4000),
                    {Row("decided_by over 200",
                         Str("closure.decided_by", Long(201)),
                         Code::INVALID_ARGUMENT, "TEXT_TOO_LONG"),
                     Row("decided_by not UTF-8",
                         Str("closure.decided_by", kBadUtf8Marker),
                         Code::INVALID_ARGUMENT, "MALFORMED_REQUEST")}})),
      Command(
          "ReopenRecommendation", "opcc", "reopening",
          R"({"reviewId": "r", "number": 2, "decidedBy": "Commissioner",
                  "rationale": {"en": "Not done"}})",
          Join({IdCases("reopening.review_id"), NumberCases("reopening.number"),
                TextCases("reopening.rationale", 4000)})),
      Command("RecordConclusion", "opcc", "conclusion",
              R"({"reviewId": "r", "period": "2025-01",
                  "paragraphs": [{"en": "Progress is good"}]})",
              Join({IdCases("conclusion.review_id"),
                    PeriodCases("conclusion.period"),
                    TextCases("conclusion.paragraphs[0]", 4000),
                    {Row("no paragraphs", Clear("conclusion.paragraphs"),
                         Code::INVALID_ARGUMENT, "MISSING_FIELD")}})),
      Command("PublishReport", "opcc", "report",
              R"({"reviewId": "r", "period": "2025-01",
                  "language": "REPORT_LANGUAGE_ENGLISH",
                  "format": "REPORT_FORMAT_MARKDOWN"})",
              Join({IdCases("report.review_id"),
                    PeriodCases("report.period"),
                    EnumCases("report.language"),
                    EnumCases("report.format"),
                    {Row("sha256 given", Str("report.sha256", Long(32)),
                         Code::INVALID_ARGUMENT, "FIELD_NOT_ALLOWED"),
                     Row("rendered_position past the head",
                         Num("report.rendered_position", 1000000000),
                         Code::INVALID_ARGUMENT, "POSITION_PAST_HEAD"),
                     Row("period never opened", Str("report.period", "2019-01"),
                         Code::NOT_FOUND, "PERIOD_NOT_FOUND")}})),
  };
}

// Rows every service's RPC takes: a request protobuf cannot parse, which
// each service parses for itself (services/raw_calls.h) and refuses like
// any other bad request, not gRPC for it (RESOURCE_EXHAUSTED, no reason).
std::vector<Case> MalformedCases(const std::string& text_field) {
  std::vector<Case> cases = {Raw("malformed bytes", Garbage(),
                                 Code::INVALID_ARGUMENT, "MALFORMED_REQUEST")};
  if (!text_field.empty()) {
    cases.push_back(Row(text_field + " not UTF-8",
                        Str(text_field, kBadUtf8Marker), Code::INVALID_ARGUMENT,
                        "MALFORMED_REQUEST"));
  }
  return cases;
}

// A page token the server issued (ListHistory of review "r", page size 1),
// filled in before the rows run.
std::shared_ptr<std::string> IssuedToken() {
  static auto* token =
      new std::shared_ptr<std::string>(std::make_shared<std::string>());
  return *token;
}

Patch IssuedTokenThen(std::function<std::string(std::string)> edit) {
  return
      [edit](gpb::Message* m) { Str("page_token", edit(*IssuedToken()))(m); };
}

std::vector<Case> QueryCommonCases(bool as_of, bool min_position) {
  std::vector<Case> cases = {
      Special("deadline already expired", How::kExpired,
              Code::DEADLINE_EXCEEDED),
  };
  if (as_of) {
    cases.push_back(Row("as_of.position past the head",
                        Num("as_of.position", 1000000000),
                        Code::INVALID_ARGUMENT, "AS_OF_IN_FUTURE"));
    cases.push_back(Row("as_of.position UINT64_MAX", Num("as_of.position", -1),
                        Code::INVALID_ARGUMENT, "AS_OF_IN_FUTURE"));
    cases.push_back(Row("as_of.effective_at next year",
                        Time("as_of.effective_at",
                             absl::ToUnixSeconds(TestNow()) + 366 * 86400),
                        Code::INVALID_ARGUMENT, "AS_OF_IN_FUTURE"));
    cases.push_back(Row("as_of.effective_at negative nanos",
                        Time("as_of.effective_at", 1700000000, -5),
                        Code::INVALID_ARGUMENT, "INVALID_TIMESTAMP"));
  }
  if (min_position) {
    Case behind =
        Row("min_position never reached", Num("min_position", 1000000000),
            Code::DEADLINE_EXCEEDED, "PROJECTION_BEHIND");
    behind.timeout = absl::Milliseconds(500);
    cases.push_back(std::move(behind));
  }
  return cases;
}

std::vector<Case> ReviewIdCases(const std::string& path) {
  return Join({IdCases(path), MalformedCases(path)});
}

std::vector<Case> HistoryFilterCases() {
  return {
      Row("number negative", Num("number", -1), Code::INVALID_ARGUMENT,
          "INVALID_NUMBER"),
      Row("number over 9999", Num("number", 10000), Code::INVALID_ARGUMENT,
          "INVALID_NUMBER"),
      Row("number without review", Both(Str("review_id", ""), Num("number", 1)),
          Code::INVALID_ARGUMENT, "MISSING_FIELD"),
      Row("person without agency", Str("person", "someone"),
          Code::INVALID_ARGUMENT, "MISSING_FIELD"),
      Row("person over 200",
          Both(Str("agency_id", "police"), Str("person", Long(201))),
          Code::INVALID_ARGUMENT, "TEXT_TOO_LONG"),
      Row("person with a control character",
          Both(Str("agency_id", "police"), Str("person", "a\x1b[2Jb")),
          Code::INVALID_ARGUMENT, "INVALID_TEXT"),
      Row("agency_id upper case", Str("agency_id", "Police"),
          Code::INVALID_ARGUMENT, "INVALID_ID"),
      Row("event type empty", Str("event_types", ""), Code::INVALID_ARGUMENT,
          "MISSING_FIELD"),
      Row("event type over 256", Str("event_types", Long(257)),
          Code::INVALID_ARGUMENT, "MISSING_FIELD"),
  };
}

std::vector<Case> PageSizeCases() {
  return {
      Row("page_size negative", Num("page_size", -1), Code::INVALID_ARGUMENT,
          "INVALID_PAGE_SIZE"),
      Row("page_size INT32_MIN", Num("page_size", INT32_MIN),
          Code::INVALID_ARGUMENT, "INVALID_PAGE_SIZE"),
      Row("page_size 501", Num("page_size", 501), Code::INVALID_ARGUMENT,
          "INVALID_PAGE_SIZE"),
      Row("page_size INT32_MAX", Num("page_size", INT32_MAX),
          Code::INVALID_ARGUMENT, "INVALID_PAGE_SIZE"),
      Row("page_token garbage", Str("page_token", "not-a-token"),
          Code::INVALID_ARGUMENT, "INVALID_PAGE_TOKEN"),
      Row("page_token forged",
          Str("page_token",
              "AAAAAAAAAAEAAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
              "AAAAAAAAAAAAAAAAAAAAAAAAAAA"),
          Code::INVALID_ARGUMENT, "INVALID_PAGE_TOKEN"),
      Row("page_token over 64 KiB", Str("page_token", Long(70000, 'A')),
          Code::INVALID_ARGUMENT, "INVALID_PAGE_TOKEN"),
  };
}

Rpc Query(std::string method, std::string base_json, std::vector<Case> cases,
          std::string agency = "opcc") {
  return Rpc{"Queries",      std::move(method),    agency,
             RoleOf(agency), std::move(base_json), std::move(cases)};
}

const char kReportJson[] = R"("reviewId": "r", "period": "2025-01",
    "language": "REPORT_LANGUAGE_ENGLISH", "format": "REPORT_FORMAT_MARKDOWN")";

std::vector<Rpc> QueryRpcs() {
  return {
      Query("GetStatusBoard", R"({"reviewId": "r"})",
            Join({QueryCommonCases(true, true),
                  ReviewIdCases("review_id"),
                  {Row("unknown review", Str("review_id", "nowhere"),
                       Code::NOT_FOUND, "REVIEW_NOT_FOUND")}})),
      Query("GetRecommendation", R"({"reviewId": "r", "number": 1})",
            Join({QueryCommonCases(true, true),
                  ReviewIdCases("review_id"),
                  NumberCases("number"),
                  {Row("unknown recommendation", Num("number", 77),
                       Code::NOT_FOUND, "RECOMMENDATION_NOT_FOUND")}})),
      Query("ListHistory", R"({"reviewId": "r", "pageSize": 1})",
            Join({QueryCommonCases(true, true),
                  HistoryFilterCases(),
                  PageSizeCases(),
                  {Row("issued token, other filters",
                       Both(IssuedTokenThen([](std::string t) { return t; }),
                            Str("event_types", "oversight.v1.RatingAssigned")),
                       Code::INVALID_ARGUMENT, "INVALID_PAGE_TOKEN"),
                   Row("issued token, a character changed",
                       IssuedTokenThen([](std::string t) {
                         t[t.size() / 2] = t[t.size() / 2] == 'A' ? 'B' : 'A';
                         return t;
                       }),
                       Code::INVALID_ARGUMENT, "INVALID_PAGE_TOKEN"),
                   Row("issued token, cut short",
                       IssuedTokenThen([](std::string t) {
                         return t.substr(0, t.size() - 4);
                       }),
                       Code::INVALID_ARGUMENT, "INVALID_PAGE_TOKEN"),
                   Row("occurred_from negative nanos",
                       Time("occurred_from", 1700000000, -1),
                       Code::INVALID_ARGUMENT, "INVALID_TIMESTAMP"),
                   Row("occurred_to nanos 1,000,000,000",
                       Time("occurred_to", 1700000000, 1000000000),
                       Code::INVALID_ARGUMENT, "INVALID_TIMESTAMP"),
                   Row("occurred_to past year 9999",
                       Time("occurred_to", 253402300800),
                       Code::INVALID_ARGUMENT, "INVALID_TIMESTAMP"),
                   Row("occurred_from before year 1",
                       Time("occurred_from", -62135596801),
                       Code::INVALID_ARGUMENT, "INVALID_TIMESTAMP")},
                  MalformedCases("person")})),
      Query(
          "FollowHistory", R"({"reviewId": "r"})",
          Join({{
                    Special("deadline already expired", How::kExpired,
                            Code::DEADLINE_EXCEEDED),
                    Special("cancelled mid-stream", How::kCancelMidStream,
                            Code::CANCELLED),
                    Special("never read while writes go on", How::kNeverRead,
                            Code::CANCELLED),
                    Row("after_position past the head",
                        Num("after_position", 1000000000),
                        Code::INVALID_ARGUMENT, "AFTER_POSITION_IN_FUTURE"),
                    Row("after_position UINT64_MAX", Num("after_position", -1),
                        Code::INVALID_ARGUMENT, "AFTER_POSITION_IN_FUTURE"),
                    Row("review_id over 64", Str("review_id", Long(65)),
                        Code::INVALID_ARGUMENT, "INVALID_ID"),
                },
                HistoryFilterCases(),
                MalformedCases("review_id")})),
      Query("ListAttention", R"({"reviewId": "r"})",
            Join({QueryCommonCases(true, true),
                  ReviewIdCases("review_id"),
                  {Row("unknown review", Str("review_id", "nowhere"),
                       Code::NOT_FOUND, "REVIEW_NOT_FOUND")}})),
      Query("GetPartnerView", R"({"agencyId": "partner"})",
            Join({QueryCommonCases(true, true),
                  ReviewIdCases("agency_id"),
                  {Row("unknown agency", Str("agency_id", "nobody"),
                       Code::NOT_FOUND, "AGENCY_NOT_FOUND")}})),
      Query("GetReport", absl::StrCat("{", kReportJson, "}"),
            Join({QueryCommonCases(true, true),
                  ReviewIdCases("review_id"),
                  PeriodCases("period"),
                  EnumCases("language"),
                  EnumCases("format"),
                  {Row("unknown review", Str("review_id", "nowhere"),
                       Code::NOT_FOUND, "REVIEW_NOT_FOUND"),
                   Row("period never opened", Str("period", "2019-01"),
                       Code::NOT_FOUND, "PERIOD_NOT_FOUND"),
                   Row("recipient over 500", Str("recipients", Long(501)),
                       Code::INVALID_ARGUMENT, "TEXT_TOO_LONG"),
                   Row("recipient with a control character",
                       Str("recipients", "Panel\x07"), Code::INVALID_ARGUMENT,
                       "INVALID_TEXT"),
                   Row("101 recipients",
                       Both(Str("recipients", "Panel"),
                            Repeat("recipients", 100)),
                       Code::INVALID_ARGUMENT, "TOO_MANY_ITEMS")}})),
      Query("VerifyReport", absl::StrCat("{", kReportJson, "}"),
            Join({QueryCommonCases(false, true),
                  ReviewIdCases("review_id"),
                  PeriodCases("period"),
                  EnumCases("language"),
                  EnumCases("format"),
                  {Row("no such publication",
                       Num("publication_position", 1000000000), Code::NOT_FOUND,
                       "REPORT_NOT_PUBLISHED")}})),
      Query("ListAccessLog", R"({"pageSize": 10})",
            Join({QueryCommonCases(false, true),
                  PageSizeCases(),
                  {Row("kind unknown", Num("kind", 99), Code::INVALID_ARGUMENT,
                       "INVALID_ENUM_VALUE"),
                   Row("kind negative", Num("kind", -1), Code::INVALID_ARGUMENT,
                       "INVALID_ENUM_VALUE"),
                   Row("from after to",
                       Both(Time("from", 1700000000), Time("to", 1600000000)),
                       Code::INVALID_ARGUMENT, "INVALID_RANGE"),
                   Row("from negative nanos", Time("from", 1700000000, -1),
                       Code::INVALID_ARGUMENT, "INVALID_TIMESTAMP"),
                   Row("agency_id upper case", Str("agency_id", "Police"),
                       Code::INVALID_ARGUMENT, "INVALID_ID"),
                   Row("person over 200", Str("person", Long(201)),
                       Code::INVALID_ARGUMENT, "TEXT_TOO_LONG"),
                   Row("a ListHistory token",
                       IssuedTokenThen([](std::string t) { return t; }),
                       Code::INVALID_ARGUMENT, "INVALID_PAGE_TOKEN")},
                  MalformedCases("person")}),
            "auditor"),
  };
}

// ------------------------------------------------------------ the raw log

std::string NewEventId() { return eventstore::EventId::Random().ToString(); }

// `n` events, each with a fresh id.
Patch Events(const std::string& events_path, int n, size_t data_bytes) {
  return [events_path, n, data_bytes](gpb::Message* m) {
    Clear(events_path)(m);
    for (int i = 0; i < n; ++i) {
      const std::string at = absl::StrCat(events_path, "[", i, "]");
      Str(at + ".event_id", NewEventId())(m);
      Str(at + ".type", "test.Noted")(m);
      Str(at + ".data", std::string(data_bytes, 'd'))(m);
    }
  };
}

std::vector<Case> AppendCases(const std::string& p) {
  const std::string e = p + "events[0].";
  return {
      Row("stream empty", Str(p + "stream", ""), Code::INVALID_ARGUMENT,
          "INVALID_STREAM_NAME"),
      Row("stream over 256", Str(p + "stream", Long(257)),
          Code::INVALID_ARGUMENT, "INVALID_STREAM_NAME"),
      Row("stream with a newline", Str(p + "stream", "notes\n1"),
          Code::INVALID_ARGUMENT, "INVALID_STREAM_NAME"),
      Row("a domain stream", Str(p + "stream", "review-r"),
          Code::PERMISSION_DENIED, "DOMAIN_STREAM"),
      Row("the access log", Str(p + "stream", "access-log"),
          Code::PERMISSION_DENIED, "DOMAIN_STREAM"),
      Row("expected_kind unknown", Num(p + "expected_kind", 99),
          Code::INVALID_ARGUMENT, "INVALID_ENUM_VALUE"),
      Row("expected_kind negative", Num(p + "expected_kind", -1),
          Code::INVALID_ARGUMENT, "INVALID_ENUM_VALUE"),
      Row("expected revision not held",
          Both(Num(p + "expected_kind", 4), Num(p + "expected_revision", 5)),
          Code::ABORTED, "WRONG_EXPECTED_REVISION"),
      Row("stream expected to exist", Num(p + "expected_kind", 3),
          Code::ABORTED, "WRONG_EXPECTED_REVISION"),
      Row("no events", Clear(p + "events"), Code::INVALID_ARGUMENT,
          "EMPTY_BATCH"),
      Row("event_id empty", Str(e + "event_id", ""), Code::INVALID_ARGUMENT,
          "MISSING_EVENT_ID"),
      Row("event_id not a UUID", Str(e + "event_id", "not-a-uuid"),
          Code::INVALID_ARGUMENT, "INVALID_EVENT_ID"),
      Row("event_id the nil UUID",
          Str(e + "event_id", "00000000-0000-0000-0000-000000000000"),
          Code::INVALID_ARGUMENT, "INVALID_EVENT_ID"),
      Row("event_id a command's (version 8)",
          Str(e + "event_id", "0a0b0c0d-0e0f-8000-8000-000000000001"),
          Code::INVALID_ARGUMENT, "RESERVED_EVENT_ID"),
      Row("the same event_id twice", Repeat(p + "events", 1),
          Code::INVALID_ARGUMENT, "DUPLICATE_EVENT_ID_IN_BATCH"),
      Row("type empty", Str(e + "type", ""), Code::INVALID_ARGUMENT,
          "INVALID_EVENT_TYPE"),
      Row("type over 256", Str(e + "type", Long(257)), Code::INVALID_ARGUMENT,
          "INVALID_EVENT_TYPE"),
      Row("data over 1 MiB", Str(e + "data", Long((1 << 20) + 1)),
          Code::INVALID_ARGUMENT, "EVENT_TOO_LARGE"),
      Row("metadata over 1 MiB", Str(e + "metadata", Long((1 << 20) + 1)),
          Code::INVALID_ARGUMENT, "EVENT_TOO_LARGE"),
      Row("batch over 4 MiB", Events(p + "events", 5, 1000000),
          Code::INVALID_ARGUMENT, "BATCH_TOO_LARGE"),
      Row("1,001 events", Events(p + "events", 1001, 1), Code::INVALID_ARGUMENT,
          "TOO_MANY_EVENTS"),
  };
}

Rpc RawLog(std::string method, std::string base_json, std::vector<Case> cases,
           std::string agency = ServiceTest::kOperatorAgency) {
  return Rpc{"EventStore",   std::move(method),    agency,
             RoleOf(agency), std::move(base_json), std::move(cases)};
}

std::string AppendJson() {
  return absl::StrCat(
      R"({"stream": "notes-bad-input", "expectedKind": "EXPECTED_REVISION_KIND_ANY",
          "events": [{"eventId": ")",
      NewEventId(), R"(", "type": "test.Noted", "data": "bm90ZQ=="}]})");
}

std::vector<Case> FilterCases(const std::string& f) {
  return {
      Row("filter prefix over 256", Str(f + ".stream_prefix", Long(257)),
          Code::INVALID_ARGUMENT, "INVALID_FILTER"),
      Row("filter with 65 types",
          Both(Str(f + ".event_types", "t"), Repeat(f + ".event_types", 64)),
          Code::INVALID_ARGUMENT, "INVALID_FILTER"),
      Row("filter type empty", Str(f + ".event_types", ""),
          Code::INVALID_ARGUMENT, "INVALID_FILTER"),
      Row("filter type over 256", Str(f + ".event_types", Long(257)),
          Code::INVALID_ARGUMENT, "INVALID_FILTER"),
  };
}

std::vector<Case> ReadCases() {
  return {
      Special("deadline already expired", How::kExpired,
              Code::DEADLINE_EXCEEDED),
      Row("max_count 1,001", Num("max_count", 1001), Code::INVALID_ARGUMENT,
          "INVALID_MAX_COUNT"),
      Row("max_count UINT32_MAX", Num("max_count", UINT32_MAX),
          Code::INVALID_ARGUMENT, "INVALID_MAX_COUNT"),
      Row("direction unknown", Num("direction", 99), Code::INVALID_ARGUMENT,
          "INVALID_ENUM_VALUE"),
      Row("direction negative", Num("direction", -1), Code::INVALID_ARGUMENT,
          "INVALID_ENUM_VALUE"),
  };
}

std::vector<Rpc> EventStoreRpcs() {
  std::vector<Case> append = Join({AppendCases(""), MalformedCases("stream")});
  append.push_back(Special("deadline already expired", How::kExpired,
                           Code::DEADLINE_EXCEEDED));
  // A request that is no AppendStreamRequest has no correlation id to
  // answer: it ends the stream (bad_input_test's AppendStream test below
  // shows the appends before it answered).
  std::vector<Case> stream =
      Join({AppendCases("append."), MalformedCases("append.stream")});
  stream.push_back(Special("deadline already expired", How::kExpired,
                           Code::DEADLINE_EXCEEDED));
  stream.push_back(Special("cancelled mid-stream", How::kCancelMidStream,
                           Code::CANCELLED, Str("append.stream", "")));
  return {
      RawLog("Append", AppendJson(), std::move(append)),
      RawLog("AppendStream",
             absl::StrCat(R"({"correlationId": "7", "append": )", AppendJson(),
                          "}"),
             std::move(stream)),
      RawLog("ReadStream", R"({"stream": "agencies"})",
             Join({ReadCases(),
                   MalformedCases("stream"),
                   {
                       Row("stream empty", Str("stream", ""),
                           Code::INVALID_ARGUMENT, "INVALID_STREAM_NAME"),
                       Row("stream over 256", Str("stream", Long(257)),
                           Code::INVALID_ARGUMENT, "INVALID_STREAM_NAME"),
                       Row("stream unknown", Str("stream", "no-such-stream"),
                           Code::NOT_FOUND, "STREAM_NOT_FOUND"),
                   }})),
      RawLog("ReadAll", R"({"fromPosition": "1"})",
             Join({ReadCases(), FilterCases("filter"),
                   MalformedCases("filter.stream_prefix")})),
      RawLog("Subscribe", R"({"fromPosition": "1"})",
             Join({{Special("deadline already expired", How::kExpired,
                            Code::DEADLINE_EXCEEDED),
                    Special("cancelled mid-stream", How::kCancelMidStream,
                            Code::CANCELLED),
                    Special("never read while writes go on", How::kNeverRead,
                            Code::CANCELLED)},
                   FilterCases("filter"),
                   MalformedCases("filter.stream_prefix")})),
      RawLog("GetHead", "{}",
             Join({{Special("deadline already expired", How::kExpired,
                            Code::DEADLINE_EXCEEDED),
                    // Field 99, a varint: a field this server does not know.
                    Raw("an unknown field", std::string("\x98\x06\x01", 3),
                        Code::OK, "")},
                   MalformedCases("")})),
      RawLog("VerifyChain", "{}",
             {Special("deadline already expired", How::kExpired,
                      Code::DEADLINE_EXCEEDED),
              Row("from after to",
                  Both(Num("from_position", 5), Num("to_position", 3)),
                  Code::INVALID_ARGUMENT, "INVALID_RANGE"),
              Row("to past the head", Num("to_position", 1000000000),
                  Code::INVALID_ARGUMENT, "INVALID_RANGE"),
              Row("from UINT64_MAX", Num("from_position", -1),
                  Code::INVALID_ARGUMENT, "INVALID_RANGE"),
              Raw("malformed bytes", Garbage(), Code::INVALID_ARGUMENT,
                  "MALFORMED_REQUEST")}),
  };
}

std::vector<Rpc> AdminRpcs() {
  std::vector<Case> cases = {
      Special("deadline already expired", How::kExpired,
              Code::DEADLINE_EXCEEDED),
  };
  for (const std::string& name :
       {std::string(), std::string("."), std::string(".."),
        std::string(".hidden"), std::string("a/b"), std::string("../x"),
        std::string("/tmp/x"), std::string("a b"), std::string("a\nb"),
        std::string("caf\xC3\xA9"), Long(129)}) {
    cases.push_back(
        Row(absl::StrCat("name \"", absl::CHexEscape(name.substr(0, 20)), "\""),
            Str("name", name), Code::INVALID_ARGUMENT, "INVALID_BACKUP_NAME"));
  }
  for (Case& c : MalformedCases("name")) cases.push_back(std::move(c));
  return {Rpc{"Admin", "Backup", ServiceTest::kOperatorAgency, "operator",
              R"({"name": "base"})", std::move(cases)}};
}

// ---------------------------------------------------------------- calls

struct Outcome {
  grpc::Status status;
  std::string reason;
};

class BadInputTest : public CommandTest {
 protected:
  void SetUp() override {
    serve_queries_ = true;
    std::filesystem::create_directories(dir_.Sub("backups"));
    server_options_.backup_dir = dir_.Sub("backups");
    server_options_.backup = [this](const std::string& dir) {
      return store_->Backup(dir);
    };
    CommandTest::SetUp();
    queries_ = v1::Queries::NewStub(channel_);
    ASSERT_NO_FATAL_FAILURE(SetUpWorld());
    MustOk("opcc", &v1::Commands::Stub::RegisterAgency,
           RegisterAgency("auditor", v1::AGENCY_KIND_AUDITOR));
    v1::OpenReportingPeriodRequest period;
    period.mutable_period()->set_review_id("r");
    period.mutable_period()->set_period("2024-07");
    MustOk("opcc", &v1::Commands::Stub::OpenReportingPeriod,
           Common(period, "open-2024-07"));
    // The read models at the head, and a page token they issued.
    v1::ListHistoryRequest history;
    history.set_review_id("r");
    history.set_page_size(1);
    history.set_min_position(store_->Head().position);
    v1::ListHistoryResponse page;
    auto ctx = RoleContext("opcc", "reviewing-body");
    grpc::Status s = queries_->ListHistory(ctx.get(), history, &page);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_FALSE(page.next_page_token().empty());
    *IssuedToken() = page.next_page_token();
  }

  void TearDown() override {
    queries_.reset();
    CommandTest::TearDown();
  }

  static const gpb::MethodDescriptor& MethodOf(const Rpc& rpc) {
    const gpb::MethodDescriptor* method =
        ServiceNamed(absl::StrCat("oversight.v1.", rpc.service).c_str())
            .FindMethodByName(rpc.method);
    EXPECT_NE(method, nullptr) << rpc.service << "." << rpc.method;
    return *method;
  }

  // The bytes of `rpc`'s base request with `patch` applied, invalid UTF-8
  // put where the patch put the marker.
  // A command's row goes with a request id of its own (`request_id`, when
  // not empty), so that a row wrongly accepted cannot make the next ones
  // REQUEST_ID_REUSED.
  static std::string RequestBytes(const Rpc& rpc, const Patch& patch,
                                  const std::string& request_id = "") {
    const gpb::MethodDescriptor& method = MethodOf(rpc);
    std::unique_ptr<gpb::Message> request(
        gpb::MessageFactory::generated_factory()
            ->GetPrototype(method.input_type())
            ->New());
    const auto parsed =
        gpb::util::JsonStringToMessage(rpc.base_json, request.get());
    EXPECT_TRUE(parsed.ok()) << rpc.method << ": " << parsed.ToString();
    if (!request_id.empty() &&
        method.input_type()->FindFieldByName("request_id") != nullptr) {
      Str("request_id", request_id)(request.get());
    }
    if (patch) patch(request.get());
    return absl::StrReplaceAll(
        request->SerializeAsString(),
        {{kBadUtf8Marker,
          std::string(kBadUtf8Bytes, sizeof(kBadUtf8Bytes) - 1)}});
  }

  static grpc::ByteBuffer Buffer(const std::string& bytes) {
    grpc::Slice slice(bytes);
    return grpc::ByteBuffer(&slice, 1);
  }

  // Writes while a stream's client reads nothing: ten batches of 1,000
  // events (more than a subscriber's buffer of 8,192 holds), each of
  // which must be acknowledged.
  void WriteWhileNobodyReads() {
    for (int batch = 0; batch < 10; ++batch) {
      v1::AppendRequest request;
      request.set_stream("notes-flood");
      for (int i = 0; i < 1000; ++i) {
        *request.add_events() = Event("test.Flooded", std::string(200, 'f'));
      }
      auto ctx = Context();
      v1::AppendResponse response;
      grpc::Status s = stub_->Append(ctx.get(), request, &response);
      ASSERT_TRUE(s.ok()) << "batch " << batch << ": " << s.error_message();
    }
  }

  Outcome Call(const Rpc& rpc, const Case& c) {
    const gpb::MethodDescriptor& method = MethodOf(rpc);
    const std::string name =
        absl::StrCat("/", method.service()->full_name(), "/", method.name());
    const std::string bytes =
        c.raw_set ? c.raw
                  : RequestBytes(rpc, c.patch,
                                 c.label == "base"
                                     ? ""
                                     : absl::StrCat("row-", ++request_ids_));
    auto ctx = RoleContext(rpc.agency, rpc.role, c.timeout);
    if (c.how == How::kExpired) {
      ctx->set_deadline(std::chrono::system_clock::now() -
                        std::chrono::seconds(1));
    }
    Outcome out;
    if (!method.client_streaming() && !method.server_streaming()) {
      grpc::internal::RpcMethod rpc_method(
          name.c_str(), grpc::internal::RpcMethod::NORMAL_RPC);
      grpc::ByteBuffer response;
      out.status =
          grpc::internal::BlockingUnaryCall<grpc::ByteBuffer, grpc::ByteBuffer>(
              channel_.get(), rpc_method, ctx.get(), Buffer(bytes), &response);
    } else if (!method.client_streaming()) {
      grpc::internal::RpcMethod rpc_method(
          name.c_str(), grpc::internal::RpcMethod::SERVER_STREAMING);
      std::unique_ptr<grpc::ClientReader<grpc::ByteBuffer>> reader(
          grpc::internal::ClientReaderFactory<grpc::ByteBuffer>::Create(
              channel_.get(), rpc_method, ctx.get(), Buffer(bytes)));
      grpc::ByteBuffer message;
      bool started = false;
      if (c.how == How::kNeverRead) {
        // Let the call start, then never read while the log grows.
        reader->WaitForInitialMetadata();
        WriteWhileNobodyReads();
        EXPECT_TRUE(GetHeadAnswers()) << "the server stalled";
        ctx->TryCancel();
      } else if (c.how != How::kExpired && reader->Read(&message)) {
        started = true;
        ctx->TryCancel();
      }
      out.status = reader->Finish();
      // A stream that started, cancelled by the row: answered, not refused.
      if (started && c.how == How::kCall &&
          out.status.error_code() == Code::CANCELLED) {
        out.status = grpc::Status::OK;
      }
      EXPECT_TRUE(started || c.how != How::kCancelMidStream)
          << "the stream sent nothing before it was cancelled";
    } else {
      grpc::internal::RpcMethod rpc_method(
          name.c_str(), grpc::internal::RpcMethod::BIDI_STREAMING);
      std::unique_ptr<
          grpc::ClientReaderWriter<grpc::ByteBuffer, grpc::ByteBuffer>>
          stream(grpc::internal::ClientReaderWriterFactory<
                 grpc::ByteBuffer, grpc::ByteBuffer>::Create(channel_.get(),
                                                             rpc_method,
                                                             ctx.get()));
      stream->Write(Buffer(bytes));
      std::optional<v1::AppendStreamResponse> answer;
      grpc::ByteBuffer message;
      if (c.how == How::kCancelMidStream) {
        EXPECT_TRUE(stream->Read(&message)) << "no answer before cancelling";
        ctx->TryCancel();
      } else {
        stream->WritesDone();
        while (stream->Read(&message)) {
          std::vector<grpc::Slice> slices;
          std::string got;
          EXPECT_TRUE(message.Dump(&slices).ok());
          for (const grpc::Slice& s : slices) {
            got.append(reinterpret_cast<const char*>(s.begin()), s.size());
          }
          answer.emplace();
          EXPECT_TRUE(answer->ParseFromString(got));
        }
      }
      out.status = stream->Finish();
      // An append's failure is its answer's, and does not end the stream.
      if (answer.has_value() && answer->has_error()) {
        EXPECT_TRUE(out.status.ok()) << out.status.error_message();
        out.status = grpc::Status(static_cast<Code>(answer->error().code()),
                                  answer->error().message());
        out.reason = answer->error().reason();
        return out;
      }
      if (c.how == How::kCall && out.status.ok() && !answer.has_value()) {
        // Nothing answered the append, yet the call ended OK.
        out.status = grpc::Status(Code::UNKNOWN, "no answer to the append");
      }
    }
    out.reason = Trailer(*ctx, "oversight-reason");
    return out;
  }

  bool GetHeadAnswers() {
    auto ctx = RoleContext("police", "force");
    v1::GetHeadRequest request;
    v1::GetHeadResponse response;
    grpc::Status s = stub_->GetHead(ctx.get(), request, &response);
    return s.ok() && response.position() == store_->Head().position;
  }

  // Runs every row of `rpc`; returns how many.
  int RunRows(const Rpc& rpc) {
    int rows = 0;
    for (const Case& c : rpc.cases) {
      SCOPED_TRACE(absl::StrCat(rpc.service, ".", rpc.method, ": ", c.label));
      const uint64_t head = store_->Head().position;
      const Outcome out = Call(rpc, c);
      EXPECT_EQ(out.status.error_code(), c.code)
          << out.reason << ": " << out.status.error_message();
      EXPECT_EQ(out.reason, c.reason) << out.status.error_message();
      if (c.how == How::kNeverRead) {
        EXPECT_EQ(store_->Head().position, head + 10000)
            << "only the row's own appends are written";
      } else {
        EXPECT_EQ(store_->Head().position, head) << "a refused call wrote";
      }
      EXPECT_TRUE(GetHeadAnswers()) << "the server stopped answering";
      ++rows;
    }
    return rows;
  }

  // Sends `rpc`'s base request as it is (reading at the head): it must
  // succeed, so that each row is refused for its own defect.
  void BaseSucceeds(const Rpc& rpc) {
    SCOPED_TRACE(absl::StrCat(rpc.service, ".", rpc.method, ": the base"));
    const uint64_t head = store_->Head().position;
    Case c = Row("base", nullptr, Code::OK, "");
    if (MethodOf(rpc).input_type()->FindFieldByName("min_position")) {
      c.patch = Num("min_position", static_cast<int64_t>(head));
    }
    const Outcome out = Call(rpc, c);
    EXPECT_TRUE(out.status.ok()) << out.status.error_code() << " " << out.reason
                                 << ": " << out.status.error_message();
  }

  std::unique_ptr<v1::Queries::Stub> queries_;
  int request_ids_ = 0;
};

std::vector<Rpc> AllRpcs() {
  std::vector<Rpc> all;
  for (std::vector<Rpc> part :
       {CommandRpcs(), QueryRpcs(), EventStoreRpcs(), AdminRpcs()}) {
    for (Rpc& rpc : part) all.push_back(std::move(rpc));
  }
  return all;
}

TEST_F(BadInputTest, EveryRpcRefusesBadInputAsDocumentedAndWritesNothing) {
  const std::vector<Rpc> rpcs = AllRpcs();
  // Every method of every service has rows; none is named twice.
  std::map<std::string, const Rpc*> by_method;
  for (const Rpc& rpc : rpcs) {
    const std::string key = absl::StrCat(rpc.service, ".", rpc.method);
    EXPECT_TRUE(by_method.emplace(key, &rpc).second) << key << " twice";
    EXPECT_NE(&MethodOf(rpc), nullptr);
  }
  int methods = 0;
  for (const gpb::ServiceDescriptor* service : Services()) {
    for (int i = 0; i < service->method_count(); ++i) {
      ++methods;
      const std::string key =
          absl::StrCat(service->name(), ".", service->method(i)->name());
      auto it = by_method.find(key);
      EXPECT_TRUE(it != by_method.end() && !it->second->cases.empty())
          << key
          << " has no bad-input rows in tests/services/bad_input_test.cc";
    }
  }
  EXPECT_EQ(static_cast<int>(by_method.size()), methods);

  int rows = 0;
  for (const Rpc& rpc : rpcs) rows += RunRows(rpc);
  std::cout << "bad input: " << rows << " rows over " << methods << " RPCs\n";

  // Each base request, as it is, succeeds (in the order of the protos,
  // which is the order the world needs), so every refusal above was the
  // row's defect's.
  for (const Rpc& rpc : rpcs) BaseSucceeds(rpc);
}

// A request that is no AppendStreamRequest has no correlation id to answer
// with: the appends read before it are answered, then the stream ends
// INVALID_ARGUMENT (MALFORMED_REQUEST), and nothing sent after it is read.
TEST_F(BadInputTest, AppendStreamAnswersWhatCameBeforeAMalformedRequest) {
  const uint64_t head = store_->Head().position;
  auto ctx = RoleContext(ServiceTest::kOperatorAgency, "operator");
  grpc::internal::RpcMethod rpc_method(
      "/oversight.v1.EventStore/AppendStream",
      grpc::internal::RpcMethod::BIDI_STREAMING);
  std::unique_ptr<grpc::ClientReaderWriter<grpc::ByteBuffer, grpc::ByteBuffer>>
      stream(grpc::internal::ClientReaderWriterFactory<
             grpc::ByteBuffer, grpc::ByteBuffer>::Create(channel_.get(),
                                                         rpc_method,
                                                         ctx.get()));
  auto append = [](uint64_t correlation_id) {
    v1::AppendStreamRequest request;
    request.set_correlation_id(correlation_id);
    request.mutable_append()->set_stream("notes-malformed");
    *request.mutable_append()->add_events() = Event("test.Noted", "note");
    return Buffer(request.SerializeAsString());
  };
  ASSERT_TRUE(stream->Write(append(1)));
  ASSERT_TRUE(stream->Write(Buffer(Garbage())));
  stream->Write(append(3));  // may fail: the server may have ended the call
  stream->WritesDone();
  std::vector<v1::AppendStreamResponse> answers;
  grpc::ByteBuffer message;
  while (stream->Read(&message)) {
    std::vector<grpc::Slice> slices;
    ASSERT_TRUE(message.Dump(&slices).ok());
    std::string bytes;
    for (const grpc::Slice& slice : slices) {
      bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
    }
    ASSERT_TRUE(answers.emplace_back().ParseFromString(bytes));
  }
  const grpc::Status status = stream->Finish();
  EXPECT_EQ(status.error_code(), Code::INVALID_ARGUMENT)
      << status.error_message();
  EXPECT_EQ(Trailer(*ctx, "oversight-reason"), "MALFORMED_REQUEST");
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].correlation_id(), 1u);
  EXPECT_TRUE(answers[0].has_appended());
  EXPECT_EQ(store_->Head().position, head + 1) << "only the first append";
  EXPECT_TRUE(GetHeadAnswers());
}

}  // namespace
}  // namespace oversight::services
