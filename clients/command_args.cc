#include "clients/command_args.h"

#include <openssl/sha.h>

#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "clients/cli_format.h"
#include "clients/import_file.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/json_util.h"
#include "oversight/v1/domain.pb.h"

namespace oversight::cli {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::EnumDescriptor;
using google::protobuf::EnumValueDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// The fact in a command's request: its field number 4, a domain event.
constexpr int kFactFieldNumber = 4;

// Who the examples act as, in the insecure test mode (over TLS the
// certificate says it). The agencies are the worked example's, and
// `calon-advocacy`, which the first example registers.
const std::vector<std::string> kOpcc = {"--agency=dyfed-powys-opcc",
                                        "--role=reviewing-body"};
const std::vector<std::string> kPolice = {"--agency=dyfed-powys-police",
                                          "--role=force"};
const std::vector<std::string> kCalon = {"--agency=calon-advocacy",
                                         "--role=partner"};
constexpr char kReview[] = "review_id=dyfed-powys-domestic-abuse-2026";

struct VerbText {
  const char* line_field;
  const char* summary;
  const std::vector<std::string>* example_flags;
  std::vector<std::string> example_args;
};

// The verbs' texts and examples, in the order their examples run.
std::vector<VerbText> VerbTexts() {
  const std::string official = "--classification=official";
  return {
      {"register_agency",
       "Registers an agency (AgencyRegistered), as a reviewing body; the very\n"
       "first agency of a new deployment registers itself.",
       &kOpcc,
       {"agency_id=calon-advocacy", "name=Calon Advocacy Service",
        "name.cy=Gwasanaeth Eiriolaeth Calon", "kind=partner", official}},
      {"open_review",
       "Opens a review (ReviewOpened), as the reviewing body that\n"
       "commissions it, with its themes.",
       &kOpcc,
       {kReview, "title=Domestic abuse: the police response to repeat victims",
        "title.cy=Cam-drin domestig: ymateb yr heddlu i ddioddefwyr "
        "mynych",
        "question=How well does the force protect victims who report "
        "abuse again?",
        "commissioning_agency_id=dyfed-powys-opcc", "opened_on=2026-01-12",
        R"(themes:=[{"id": "training", "name": {"en": "Training", )"
        R"("cy": "Hyfforddiant"}}])",
        official}},
      {"issue_recommendation",
       "Issues a recommendation of a review (RecommendationIssued), as its\n"
       "reviewing body, owned by one agency and contributed to by others.",
       &kOpcc,
       {kReview, "number=1", "theme_id=training",
        "text=All officers attending domestic abuse incidents complete the "
        "repeat-victim module.",
        "owning_agency_id=dyfed-powys-police",
        "contributing_agency_ids=calon-advocacy", official}},
      {"open_reporting_period",
       "Opens a reporting period (ReportingPeriodOpened) of a review, as its\n"
       "reviewing body: from then on updates for that period are due.",
       &kOpcc,
       {kReview, "period=2026-06", "submissions_due_on=2026-06-30", official}},
      {"submit_progress_update",
       "Submits a progress update on a recommendation for a period\n"
       "(ProgressUpdateSubmitted), as the owning or a contributing agency.",
       &kPolice,
       {kReview, "number=1", "update_id=2026-06-police-1", "period=2026-06",
        R"(bullets:=[{"text": {"en": "The module is live; 212 of 640 )"
        R"(officers have completed it."}}])",
        official}},
      {"correct_progress_update",
       "Corrects a progress update (ProgressUpdateCorrected), as the agency\n"
       "that submitted it, saying why; the original stays in the history.",
       &kPolice,
       {kReview, "number=1", "update_id=2026-06-police-1",
        R"(bullets:=[{"text": {"en": "The module is live; 251 of 640 )"
        R"(officers have completed it."}}])",
        "reason=The completion figure was taken before the May cohort.",
        official}},
      {"withdraw_progress_update",
       "Withdraws a progress update (ProgressUpdateWithdrawn), as the agency\n"
       "that submitted it, saying why; it stays in the history.",
       &kPolice,
       {kReview, "number=1", "update_id=2026-06-police-1",
        "reason=Superseded by the force's six-monthly return.", official}},
      {"assign_rating",
       "Rates a recommendation Red, Amber or Green for a period\n"
       "(RatingAssigned), as the review's reviewing body, with a rationale.",
       &kOpcc,
       {kReview, "number=1", "period=2026-06", "rating=amber",
        "rationale=Some progress has been made but more is required.",
        "rationale.cy=Mae peth cynnydd wedi bod ond mae angen rhagor.",
        official}},
      {"record_monitoring_activity",
       "Records what the reviewing body will do to monitor a\n"
       "recommendation (MonitoringActivityRecorded), and by when.",
       &kOpcc,
       {kReview, "number=1", "activity_id=dip-sample-2026", "period=2026-06",
        "description=Dip-sample twenty repeat-victim incident records.",
        "due_on=2026-09-30", official}},
      {"complete_monitoring_activity",
       "Completes a monitoring activity (MonitoringActivityCompleted), as the\n"
       "reviewing body, with its outcome.",
       &kOpcc,
       {kReview, "number=1", "activity_id=dip-sample-2026",
        "outcome=Seventeen of twenty records showed the risk assessment.",
        official}},
      {"record_meeting_observed",
       "Records a meeting the reviewing body observed (MeetingObserved): who\n"
       "attended, what was found, and which recommendations it bears on.",
       &kOpcc,
       {kReview, "meeting_id=marac-2026-05", "kind=multi-agency-meeting",
        "title=Multi-agency risk assessment conference", "held_on=2026-05-20",
        "attending_agency_ids=dyfed-powys-police",
        "attending_agency_ids=calon-advocacy",
        "findings=Repeat victims were identified before the meeting.",
        "related_recommendations=1", official}},
      {"raise_risk",
       "Raises a risk to carrying out recommendations (RiskRaised), as the\n"
       "reviewing body or an agency the recommendations involve.",
       &kPolice,
       {kReview, "risk_id=trainer-capacity", "category=capacity",
        "description=Two of the three trainers leave in September.",
        "related_recommendations=1", official}},
      {"resolve_risk",
       "Resolves a risk (RiskResolved), saying how.",
       &kPolice,
       {kReview, "risk_id=trainer-capacity",
        "resolution=Two trainers were recruited from the regional pool.",
        official}},
      {"register_programme",
       "Registers a partner's programme (ProgrammeRegistered), as the agency\n"
       "that runs it, and the recommendations it contributes to.",
       &kCalon,
       {"programme_id=calon-repeat-victims", "name=Repeat victims advocacy",
        "owning_agency_id=calon-advocacy", kReview, "related_recommendations=1",
        "started_on=2026-04-01", official}},
      {"submit_partner_report",
       "Submits a programme's figures for a calendar quarter\n"
       "(PartnerReportSubmitted), as the agency that runs it.",
       &kCalon,
       {"programme_id=calon-repeat-victims", "report_id=2026-q2",
        "quarter=2026-Q2",
        R"(figures:=[{"key": "referrals", "value": 14, "label": )"
        R"({"en": "Referrals received"}}])",
        "narrative=Referrals came mostly from the force's new module.",
        official}},
      {"record_cross_reference",
       "Links a recommendation to another plan or recommendation that\n"
       "covers the same ground (CrossReferenceRecorded).",
       &kPolice,
       {kReview, "number=1", "reference_id=fdp-2026-training",
        "kind=force-development-plan",
        "title=Force development plan 2026, training strand", official}},
      {"close_recommendation",
       "Closes a recommendation as complete (RecommendationClosed), as the\n"
       "reviewing body, saying who decided and why.",
       &kOpcc,
       {kReview, "number=1", "decided_by=Police and Crime Commissioner",
        "rationale=Every officer has completed the module.", official}},
      {"reopen_recommendation",
       "Reopens a closed recommendation (RecommendationReopened), as the\n"
       "reviewing body, saying who decided and why.",
       &kOpcc,
       {kReview, "number=1", "decided_by=Police and Crime Commissioner",
        "rationale=New starters have not yet completed the module.", official}},
      {"record_conclusion",
       "Records the reviewing body's conclusion for a period\n"
       "(ConclusionRecorded), the closing section of the Panel's report.",
       &kOpcc,
       {kReview, "period=2026-06",
        "paragraphs=Training is under way; the next report will test its "
        "effect on repeat victims.",
        official}},
      {"close_reporting_period",
       "Closes a reporting period (ReportingPeriodClosed), as the reviewing\n"
       "body: no more updates are due for it.",
       &kOpcc,
       {kReview, "period=2026-06", official}},
  };
}

// "RatingAssigned" -> "RATING_ASSIGNED_": the prefix of an enum's values.
std::string EnumPrefix(const EnumDescriptor& type) {
  std::string prefix;
  for (char c : type.name()) {
    if (absl::ascii_isupper(c) && !prefix.empty()) prefix += '_';
    prefix += absl::ascii_toupper(c);
  }
  return prefix + "_";
}

// "amber" for RATING_AMBER; "stalking-clinic" for
// MEETING_KIND_STALKING_CLINIC.
std::string ShortEnumName(const EnumValueDescriptor& value) {
  std::string name = value.name();
  const std::string prefix = EnumPrefix(*value.type());
  if (absl::StartsWith(name, prefix)) name = name.substr(prefix.size());
  return absl::StrReplaceAll(absl::AsciiStrToLower(name), {{"_", "-"}});
}

std::vector<std::string> EnumChoices(const EnumDescriptor& type) {
  std::vector<std::string> choices;
  for (int i = 0; i < type.value_count(); ++i) {
    if (type.value(i)->number() == 0) continue;  // UNSPECIFIED
    choices.push_back(ShortEnumName(*type.value(i)));
  }
  return choices;
}

absl::StatusOr<const EnumValueDescriptor*> ParseEnum(const EnumDescriptor& type,
                                                     absl::string_view text) {
  const std::string wanted =
      absl::StrReplaceAll(absl::AsciiStrToLower(text), {{"_", "-"}});
  for (int i = 0; i < type.value_count(); ++i) {
    const EnumValueDescriptor* value = type.value(i);
    if (value->number() == 0) continue;
    const std::string full =
        absl::StrReplaceAll(absl::AsciiStrToLower(value->name()), {{"_", "-"}});
    if (wanted == full || wanted == ShortEnumName(*value)) return value;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "\"", text,
      "\" is not one of: ", absl::StrJoin(EnumChoices(type), ", ")));
}

absl::StatusOr<absl::Time> ParseTimeOrDate(absl::string_view text) {
  absl::CivilDay day;
  if (text.size() == 10 && absl::ParseCivilTime(text, &day)) {
    return absl::FromCivil(day, absl::UTCTimeZone());
  }
  absl::Time time;
  std::string error;
  if (absl::ParseTime(absl::RFC3339_full, text, &time, &error)) return time;
  return absl::InvalidArgumentError(
      absl::StrCat("\"", text,
                   "\" is neither a date (YYYY-MM-DD) nor an RFC 3339 time "
                   "(2025-01-31T09:00:00Z)"));
}

void SetTimestamp(absl::Time time, google::protobuf::Timestamp* out) {
  const int64_t seconds = absl::ToUnixSeconds(time);
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(time - absl::FromUnixSeconds(seconds))));
}

bool IsTimestamp(const Descriptor& type) {
  return type.full_name() ==
         google::protobuf::Timestamp::descriptor()->full_name();
}
bool IsLocalizedText(const Descriptor& type) {
  return type.full_name() == v1::LocalizedText::descriptor()->full_name();
}

const FieldDescriptor* FindField(const Descriptor& type,
                                 absl::string_view name) {
  for (int i = 0; i < type.field_count(); ++i) {
    const FieldDescriptor* field = type.field(i);
    if (field->name() == name || field->json_name() == name) return field;
  }
  return nullptr;
}

std::vector<std::string> FieldNames(const Descriptor& type) {
  std::vector<std::string> names;
  for (int i = 0; i < type.field_count(); ++i) {
    names.push_back(type.field(i)->name());
  }
  return names;
}

// Sets (or, repeated, adds) the scalar or enum `field` of `message` from
// `text`.
absl::Status SetScalar(Message* message, const FieldDescriptor* field,
                       absl::string_view text) {
  const Reflection* r = message->GetReflection();
  const bool repeated = field->is_repeated();
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      if (repeated) {
        r->AddString(message, field, std::string(text));
      } else {
        r->SetString(message, field, std::string(text));
      }
      return absl::OkStatus();
    case FieldDescriptor::CPPTYPE_INT32:
    case FieldDescriptor::CPPTYPE_INT64: {
      int64_t value;
      if (!absl::SimpleAtoi(text, &value) ||
          (field->cpp_type() == FieldDescriptor::CPPTYPE_INT32 &&
           (value < INT32_MIN || value > INT32_MAX))) {
        return absl::InvalidArgumentError(
            absl::StrCat("\"", text, "\" is not a whole number"));
      }
      if (field->cpp_type() == FieldDescriptor::CPPTYPE_INT32) {
        const auto v = static_cast<int32_t>(value);
        repeated ? r->AddInt32(message, field, v)
                 : r->SetInt32(message, field, v);
      } else {
        repeated ? r->AddInt64(message, field, value)
                 : r->SetInt64(message, field, value);
      }
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT32:
    case FieldDescriptor::CPPTYPE_UINT64: {
      uint64_t value;
      if (!absl::SimpleAtoi(text, &value) ||
          (field->cpp_type() == FieldDescriptor::CPPTYPE_UINT32 &&
           value > UINT32_MAX)) {
        return absl::InvalidArgumentError(
            absl::StrCat("\"", text, "\" is not a whole number, zero or more"));
      }
      if (field->cpp_type() == FieldDescriptor::CPPTYPE_UINT32) {
        const auto v = static_cast<uint32_t>(value);
        repeated ? r->AddUInt32(message, field, v)
                 : r->SetUInt32(message, field, v);
      } else {
        repeated ? r->AddUInt64(message, field, value)
                 : r->SetUInt64(message, field, value);
      }
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      bool value;
      if (!absl::SimpleAtob(text, &value)) {
        return absl::InvalidArgumentError(
            absl::StrCat("\"", text, "\" is neither true nor false"));
      }
      repeated ? r->AddBool(message, field, value)
               : r->SetBool(message, field, value);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      absl::StatusOr<const EnumValueDescriptor*> value =
          ParseEnum(*field->enum_type(), text);
      if (!value.ok()) return value.status();
      repeated ? r->AddEnum(message, field, *value)
               : r->SetEnum(message, field, *value);
      return absl::OkStatus();
    }
    default:
      return absl::InvalidArgumentError("this kind of field takes FIELD:=JSON");
  }
}

// FIELD=VALUE on `field` of `message`.
absl::Status AssignText(Message* message, const FieldDescriptor* field,
                        absl::string_view text) {
  if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
    return SetScalar(message, field, text);
  }
  const Reflection* r = message->GetReflection();
  const Descriptor& type = *field->message_type();
  if (IsTimestamp(type)) {
    absl::StatusOr<absl::Time> time = ParseTimeOrDate(text);
    if (!time.ok()) return time.status();
    auto* out = static_cast<google::protobuf::Timestamp*>(
        field->is_repeated() ? r->AddMessage(message, field)
                             : r->MutableMessage(message, field));
    SetTimestamp(*time, out);
    return absl::OkStatus();
  }
  if (IsLocalizedText(type)) {
    auto* out = static_cast<v1::LocalizedText*>(
        field->is_repeated() ? r->AddMessage(message, field)
                             : r->MutableMessage(message, field));
    out->set_en(std::string(text));
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "is a ", type.name(), ": give its fields (", field->name(),
      ".FIELD=VALUE) or all of it as JSON (", field->name(), ":=JSON)"));
}

// FIELD:=JSON on `field` of `message`: parsed as that field of a message of
// the same type, then merged (a list's items are added).
absl::Status AssignJson(Message* message, const FieldDescriptor* field,
                        absl::string_view json) {
  std::unique_ptr<Message> part(message->New());
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const std::string document =
      absl::StrCat("{\"", field->name(), "\": ", json, "}");
  google::protobuf::util::Status status =
      google::protobuf::util::JsonStringToMessage(document, part.get(),
                                                  options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "is not JSON for this field: ", std::string(status.message())));
  }
  message->MergeFrom(*part);
  return absl::OkStatus();
}

// One FIELD=VALUE or FIELD:=JSON argument, on `fact`. `assigned` holds the
// singular fields already given, so that giving one twice is an error.
absl::Status ApplyArgument(Message* fact, const std::string& arg,
                           std::set<std::string>* assigned) {
  const size_t equals = arg.find('=');
  if (equals == std::string::npos || equals == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", arg, "\": expected FIELD=VALUE or FIELD:=JSON"));
  }
  const bool json = arg[equals - 1] == ':';
  const std::string path = arg.substr(0, json ? equals - 1 : equals);
  const absl::string_view value = absl::string_view(arg).substr(equals + 1);
  Message* message = fact;
  const FieldDescriptor* field = nullptr;
  std::string walked;
  for (absl::string_view segment : absl::StrSplit(path, '.')) {
    if (field != nullptr) {  // descend into the field found so far
      if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE ||
          field->is_repeated() || IsTimestamp(*field->message_type())) {
        return absl::InvalidArgumentError(
            absl::StrCat(walked, " has no fields to name",
                         field->is_repeated()
                             ? absl::StrCat(": it is a list, given whole as ",
                                            walked, ":=[...]")
                             : ""));
      }
      message = message->GetReflection()->MutableMessage(message, field);
    }
    field = FindField(*message->GetDescriptor(), segment);
    if (!walked.empty()) walked += '.';
    absl::StrAppend(&walked, segment);
    if (field == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          "no field \"", walked, "\" in ", message->GetDescriptor()->name(),
          " (its fields: ",
          absl::StrJoin(FieldNames(*message->GetDescriptor()), ", "), ")"));
    }
  }
  if (field == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("\"", arg, "\": no field"));
  }
  if (!field->is_repeated()) {
    // A LocalizedText given as text sets its English. A path given before,
    // or one inside or around it (rationale:={...} and rationale.en=...),
    // would be overwritten or mixed: refused.
    const std::string key =
        !json && field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
                IsLocalizedText(*field->message_type())
            ? walked + ".en"
            : walked;
    for (const std::string& given : *assigned) {
      const auto within = [](const std::string& inner,
                             const std::string& outer) {
        return inner == outer || absl::StartsWith(inner, outer + ".");
      };
      if (within(key, given) || within(given, key)) {
        return absl::InvalidArgumentError(
            given == key
                ? absl::StrCat(walked, " is given twice")
                : absl::StrCat(key, " and ", given, " are both given"));
      }
    }
    assigned->insert(key);
  }
  absl::Status status = json ? AssignJson(message, field, value)
                             : AssignText(message, field, value);
  if (!status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(walked, ": ", status.message()));
  }
  return absl::OkStatus();
}

// A JSON-ish outline of `type`'s fields, for a list's help:
// {text: {en, cy}, sub_bullets: [{en, cy}]}.
std::string Outline(const Descriptor& type, int depth) {
  if (IsLocalizedText(type)) return "{en, cy}";
  if (IsTimestamp(type)) return "TIME";
  if (depth > 3) return "{...}";
  std::vector<std::string> parts;
  for (int i = 0; i < type.field_count(); ++i) {
    const FieldDescriptor* field = type.field(i);
    std::string part = field->name();
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      std::string inner = Outline(*field->message_type(), depth + 1);
      absl::StrAppend(
          &part, ": ",
          field->is_repeated() ? absl::StrCat("[", inner, "]") : inner);
    } else if (field->is_repeated()) {
      absl::StrAppend(&part, ": [...]");
    }
    parts.push_back(std::move(part));
  }
  return absl::StrCat("{", absl::StrJoin(parts, ", "), "}");
}

void AppendFieldHelp(const Descriptor& type, const std::string& prefix,
                     std::string* out) {
  for (int i = 0; i < type.field_count(); ++i) {
    const FieldDescriptor* field = type.field(i);
    const std::string path = prefix + field->name();
    std::string kind;
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      const Descriptor& inner = *field->message_type();
      if (IsLocalizedText(inner)) {
        kind = field->is_repeated()
                   ? "text, English; repeat for more (Welsh too: :=JSON)"
                   : absl::StrCat("text, English; ", path, ".cy= Welsh");
      } else if (IsTimestamp(inner)) {
        kind = "time (RFC 3339) or date";
      } else if (field->is_repeated()) {
        kind = absl::StrCat("list, as JSON: ", path, ":=[", Outline(inner, 0),
                            ", ...]");
      } else {
        AppendFieldHelp(inner, path + ".", out);
        continue;
      }
    } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_ENUM) {
      kind = absl::StrCat(
          "one of: ", absl::StrJoin(EnumChoices(*field->enum_type()), ", "));
    } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
      kind = field->type() == FieldDescriptor::TYPE_BYTES ? "bytes" : "text";
    } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_BOOL) {
      kind = "true or false";
    } else {
      kind = "whole number";
    }
    if (field->is_repeated() &&
        field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
      absl::StrAppend(&kind, "; repeat for more");
    }
    if (path.size() > 26) {
      absl::StrAppend(out, "  ", path, "\n", std::string(30, ' '), kind, "\n");
    } else {
      absl::StrAppend(out, absl::StrFormat("  %-27s %s\n", path, kind));
    }
  }
}

std::string Sha256Hex(const std::string& bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
         digest);
  return Hex(
      std::string(reinterpret_cast<const char*>(digest), SHA256_DIGEST_LENGTH));
}

std::string Deterministic(const Message& message) {
  std::string bytes;
  google::protobuf::io::StringOutputStream stream(&bytes);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  message.SerializeToCodedStream(&coded);
  coded.Trim();
  return bytes;
}

}  // namespace

const std::vector<CommandVerb>& CommandVerbs() {
  static const std::vector<CommandVerb>* verbs = [] {
    auto* out = new std::vector<CommandVerb>();
    const Descriptor& line = *v1::ImportLine::descriptor();
    for (VerbText& text : VerbTexts()) {
      CommandVerb verb;
      verb.line_field = line.FindFieldByName(text.line_field);
      verb.name = absl::StrReplaceAll(text.line_field, {{"_", "-"}});
      verb.summary = text.summary;
      verb.example_flags = *text.example_flags;
      verb.example_args = std::move(text.example_args);
      out->push_back(std::move(verb));
    }
    return out;
  }();
  return *verbs;
}

const CommandVerb* FindCommandVerb(absl::string_view name) {
  for (const CommandVerb& verb : CommandVerbs()) {
    if (verb.name == name) return &verb;
  }
  return nullptr;
}

absl::StatusOr<v1::ImportLine> BuildCommand(
    const CommandVerb& verb, const std::vector<std::string>& args,
    const CommandFlags& flags) {
  v1::ImportLine line;
  line.set_agency(flags.agency);
  line.set_actor(flags.actor);
  const Reflection* r = line.GetReflection();
  Message* request = r->MutableMessage(&line, verb.line_field);
  const Descriptor& type = *request->GetDescriptor();
  const FieldDescriptor* fact_field = type.FindFieldByNumber(kFactFieldNumber);
  Message* fact = request->GetReflection()->MutableMessage(request, fact_field);

  if (flags.classification.empty()) {
    return absl::InvalidArgumentError(
        "--classification is required: official, or sensitive for "
        "OFFICIAL-SENSITIVE (docs/security.md)");
  }
  v1::Classification classification;
  if (flags.classification == "official") {
    classification = v1::CLASSIFICATION_OFFICIAL;
  } else if (flags.classification == "sensitive" ||
             flags.classification == "official-sensitive") {
    classification = v1::CLASSIFICATION_OFFICIAL_SENSITIVE;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("--classification must be official or sensitive, not \"",
                     flags.classification, "\""));
  }
  request->GetReflection()->SetEnumValue(
      request, type.FindFieldByName("classification"), classification);
  if (!flags.occurred_at.empty()) {
    absl::StatusOr<absl::Time> time = ParseTimeOrDate(flags.occurred_at);
    if (!time.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--occurred_at: ", time.status().message()));
    }
    SetTimestamp(*time, static_cast<google::protobuf::Timestamp*>(
                            request->GetReflection()->MutableMessage(
                                request, type.FindFieldByName("occurred_at"))));
  }
  if (args.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        verb.name, " needs the fields of its ", fact->GetDescriptor()->name(),
        " (oversight help ", verb.name, " lists them)"));
  }
  std::set<std::string> assigned;
  for (const std::string& arg : args) {
    absl::Status status = ApplyArgument(fact, arg, &assigned);
    if (!status.ok()) return status;
  }
  const FieldDescriptor* id_field = type.FindFieldByName("request_id");
  request->GetReflection()->SetString(
      request, id_field,
      flags.request_id.empty() ? DerivedRequestId(line) : flags.request_id);
  return line;
}

std::string DerivedRequestId(const v1::ImportLine& line) {
  v1::ImportLine copy = line;
  copy.clear_actor();  // the same command, whoever sends it again
  const Reflection* r = copy.GetReflection();
  const FieldDescriptor* field =
      copy.GetDescriptor()->FindFieldByName(CommandName(copy));
  if (field != nullptr) {
    Message* request = r->MutableMessage(&copy, field);
    request->GetReflection()->ClearField(
        request, request->GetDescriptor()->FindFieldByName("request_id"));
  }
  return absl::StrCat("cli-", Sha256Hex(Deterministic(copy)).substr(0, 32));
}

std::string FieldHelp(const CommandVerb& verb) {
  const Descriptor& request = *verb.line_field->message_type();
  std::string out;
  AppendFieldHelp(*request.FindFieldByNumber(kFactFieldNumber)->message_type(),
                  "", &out);
  return out;
}

std::string ShellWords(const std::vector<std::string>& args, size_t width) {
  std::vector<std::string> words;
  for (const std::string& arg : args) {
    const bool plain =
        !arg.empty() && arg.find_first_not_of(
                            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV"
                            "WXYZ0123456789_-.,/:=@+%") == std::string::npos;
    words.push_back(
        plain ? arg
              : absl::StrCat("'", absl::StrReplaceAll(arg, {{"'", "'\\''"}}),
                             "'"));
  }
  std::string out;
  size_t line = 0;  // the length of the line so far
  for (const std::string& word : words) {
    if (line > 0 && line + 1 + word.size() + 2 > width) {
      absl::StrAppend(&out, " \\\n    ");
      line = 4;
    } else if (line > 0) {
      out += ' ';
      ++line;
    }
    out += word;
    line += word.size();
  }
  return out;
}

}  // namespace oversight::cli
