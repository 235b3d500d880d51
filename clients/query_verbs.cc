// The query verbs of the oversight command: status, recommendation,
// history, attention, partner and access-log, through oversight.v1.Queries.
// Arguments are parsed and answers rendered by clients/query_format.h; the
// flags shared with the other verbs are defined in clients/oversight_main.cc,
// those only queries use are defined here.
//
// Over TLS the client certificate says who reads. In the insecure test
// mode the calls carry `oversight-agency` (--agency, or the CLI's own),
// `oversight-role` (--role) and `oversight-actor` (--actor), as commands
// do: the server lets each role read what docs/security.md says. In both,
// --justification (CallIdentity::justification) says why the caller reads,
// without which no answer carries OFFICIAL-SENSITIVE content.

#include <chrono>
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clients/cli_format.h"
#include "clients/import_dispatch.h"
#include "clients/import_file.h"
#include "clients/query_format.h"
#include "clients/verbs.h"

ABSL_DECLARE_FLAG(int, timeout_seconds);
ABSL_DECLARE_FLAG(std::string, agency);
ABSL_DECLARE_FLAG(std::string, actor);
ABSL_DECLARE_FLAG(std::string, type);
ABSL_DECLARE_FLAG(bool, all);

ABSL_FLAG(std::string, as_of, "",
          "queries: the record as at a past moment: YYYY-MM-DD (the end of "
          "that day, UTC), an RFC 3339 time, @N or position:N, or a "
          "position and a time joined by a comma (also spelt --as-of)");
ABSL_FLAG(uint64_t, min_position, 0,
          "queries: wait until the server has caught up with this position "
          "(up to --timeout_seconds)");
ABSL_FLAG(std::string, output, "table", "queries: table or json");
ABSL_FLAG(std::string, lang, "en",
          "queries: en, or cy for Welsh where present (else English marked "
          "[en])");
ABSL_FLAG(std::string, review, "", "history: only events of this review");
ABSL_FLAG(std::string, kind, "",
          "access-log: only consultation or disclosure (default: both)");
ABSL_FLAG(int, number, 0,
          "history: only events of this recommendation (with --review)");
ABSL_FLAG(std::string, person, "",
          "history, access-log: only events recorded by this person (with "
          "--agency)");
ABSL_FLAG(std::string, from, "",
          "history, access-log: occurred on or after this date or RFC 3339 "
          "time");
ABSL_FLAG(std::string, to, "",
          "history, access-log: occurred on or before this date (before this "
          "RFC 3339 time)");
ABSL_FLAG(int, page_size, 0,
          "history, access-log: entries per page, 1 to 500 (0: 50)");
ABSL_FLAG(bool, follow, false,
          "history: the entries recorded so far, then each new one as it is "
          "recorded, until interrupted (Queries.FollowHistory)");
ABSL_FLAG(uint64_t, after, 0,
          "history --follow: only entries after this log position (resume "
          "from the last \"caught up at position\" printed)");
ABSL_FLAG(std::string, page_token, "",
          "history, access-log: go on from where an earlier page ended");

namespace oversight::cli {
namespace {

struct QueryOptions {
  v1::AsOf as_of;
  uint64_t min_position = 0;
  OutputFormat output = OutputFormat::kTable;
  Lang lang = Lang::kEnglish;
};

// The flags every query takes; a bad one is a usage error.
absl::Status ReadQueryOptions(QueryOptions* options) {
  const std::string as_of = absl::GetFlag(FLAGS_as_of);
  if (!as_of.empty()) {
    absl::StatusOr<v1::AsOf> parsed = ParseAsOfFlag(as_of);
    if (!parsed.ok()) return parsed.status();
    options->as_of = *parsed;
  }
  options->min_position = absl::GetFlag(FLAGS_min_position);
  absl::StatusOr<OutputFormat> output =
      ParseOutputFormat(absl::GetFlag(FLAGS_output));
  if (!output.ok()) return output.status();
  options->output = *output;
  absl::StatusOr<Lang> lang = ParseLang(absl::GetFlag(FLAGS_lang));
  if (!lang.ok()) return lang.status();
  options->lang = *lang;
  const std::string agency = absl::GetFlag(FLAGS_agency);
  if (!agency.empty() && !IsMetadataValue(agency)) {
    return absl::InvalidArgumentError(
        "--agency must be printable ASCII (an agency id)");
  }
  return absl::OkStatus();
}

template <typename Response>
int Emit(const Response& response, const QueryOptions& options,
         void (*print)(std::ostream&, const Response&, Lang)) {
  if (options.output == OutputFormat::kJson) return PrintJson(response);
  print(std::cout, response, options.lang);
  return kExitOk;
}

// Makes the call `method` on the Queries stub with the common options set
// on `request`, and prints the answer.
template <typename Request, typename Response>
int Query(const Clients& clients, Request& request,
          grpc::Status (v1::Queries::Stub::*method)(grpc::ClientContext*,
                                                    const Request&, Response*),
          void (*print)(std::ostream&, const Response&, Lang)) {
  QueryOptions options;
  if (absl::Status s = ReadQueryOptions(&options); !s.ok()) {
    return Usage(std::string(s.message()));
  }
  *request.mutable_as_of() = options.as_of;
  request.set_min_position(options.min_position);
  auto context = CallContext(clients);
  Response response;
  grpc::Status status =
      (clients.queries.get()->*method)(context.get(), request, &response);
  if (!status.ok()) return Fail(status, *context);
  return Emit(response, options, print);
}

// The pages of a listing (history, access-log): one, or with --all every
// one. Every page answers for the same moment (the token pins it), so the
// pages make one listing: printed as one table, or one JSON document whose
// reflects counts what every page withheld and names the first page's
// access record (the table names every page's).
template <typename Request, typename Response>
int Listing(const Clients& clients, const QueryOptions& options,
            Request& request,
            grpc::Status (v1::Queries::Stub::*method)(grpc::ClientContext*,
                                                      const Request&,
                                                      Response*),
            void (*print)(std::ostream&, const Response&, const Disclosure&)) {
  const bool all = absl::GetFlag(FLAGS_all);
  Response combined;
  Disclosure disclosure;
  for (bool first = true;; first = false) {
    auto context = CallContext(clients);
    Response page;
    grpc::Status status =
        (clients.queries.get()->*method)(context.get(), request, &page);
    if (!status.ok()) return Fail(status, *context);
    disclosure.Add(page.reflects().withheld(),
                   page.reflects().access_recorded_position());
    if (first) {
      combined = std::move(page);
    } else {
      for (auto& entry : *page.mutable_entries()) {
        *combined.add_entries() = std::move(entry);
      }
      combined.set_next_page_token(page.next_page_token());
    }
    if (combined.next_page_token().empty() || !all) break;
    request.set_page_token(combined.next_page_token());
  }
  combined.mutable_reflects()->set_withheld(
      static_cast<uint32_t>(disclosure.withheld));
  if (!disclosure.access_positions.empty()) {
    combined.mutable_reflects()->set_access_recorded_position(
        disclosure.access_positions.front());
  }
  if (options.output == OutputFormat::kJson) return PrintJson(combined);
  print(std::cout, combined, disclosure);
  if (!combined.next_page_token().empty()) {
    std::cout.flush();
    std::cerr << "more entries: run again with --page_token="
              << combined.next_page_token() << " (or --all for every page)\n";
  }
  return kExitOk;
}

// --from and --to into `from` and `to`; a bad one is a usage error
// (returned), else "".
std::string ReadBounds(google::protobuf::Timestamp* from,
                       google::protobuf::Timestamp* to, bool* has_from,
                       bool* has_to) {
  *has_from = *has_to = false;
  if (const std::string value = absl::GetFlag(FLAGS_from); !value.empty()) {
    absl::StatusOr<google::protobuf::Timestamp> t =
        ParseHistoryBound(value, Bound::kFrom);
    if (!t.ok()) return std::string(t.status().message());
    *from = *t;
    *has_from = true;
  }
  if (const std::string value = absl::GetFlag(FLAGS_to); !value.empty()) {
    absl::StatusOr<google::protobuf::Timestamp> t =
        ParseHistoryBound(value, Bound::kTo);
    if (!t.ok()) return std::string(t.status().message());
    *to = *t;
    *has_to = true;
  }
  return "";
}

bool ParseRecommendationNumber(const std::string& text, int32_t* number) {
  return absl::SimpleAtoi(text, number) && *number > 0;
}

}  // namespace

int StatusBoard(const Clients& clients, const std::vector<std::string>& args) {
  if (args.size() != 1) return Usage("status needs one REVIEW");
  v1::GetStatusBoardRequest request;
  request.set_review_id(args[0]);
  return Query(clients, request, &v1::Queries::Stub::GetStatusBoard,
               &PrintStatusBoard);
}

int RecommendationDetail(const Clients& clients,
                         const std::vector<std::string>& args) {
  if (args.size() != 2) return Usage("recommendation needs REVIEW and N");
  int32_t number;
  if (!ParseRecommendationNumber(args[1], &number)) {
    return Usage("N must be a recommendation number (1 or more)");
  }
  v1::GetRecommendationRequest request;
  request.set_review_id(args[0]);
  request.set_number(number);
  return Query(clients, request, &v1::Queries::Stub::GetRecommendation,
               &PrintRecommendation);
}

int Attention(const Clients& clients, const std::vector<std::string>& args) {
  if (args.size() != 1) return Usage("attention needs one REVIEW");
  v1::ListAttentionRequest request;
  request.set_review_id(args[0]);
  return Query(clients, request, &v1::Queries::Stub::ListAttention,
               &PrintAttention);
}

int PartnerView(const Clients& clients, const std::vector<std::string>& args) {
  if (args.size() != 1) return Usage("partner needs one AGENCY");
  v1::GetPartnerViewRequest request;
  request.set_agency_id(args[0]);
  return Query(clients, request, &v1::Queries::Stub::GetPartnerView,
               &PrintPartnerView);
}

namespace {

// `history --follow`: Queries.FollowHistory with `request`'s subject, after
// --after, printed as it comes (a row per entry, or with --output=json one
// JSON document per message, a line each) until interrupted.
int FollowHistory(const Clients& clients, const QueryOptions& options,
                  const v1::ListHistoryRequest& listing) {
  if (!absl::GetFlag(FLAGS_as_of).empty() || options.min_position != 0 ||
      listing.has_occurred_from() || listing.has_occurred_to() ||
      listing.page_size() != 0 || !listing.page_token().empty()) {
    return Usage(
        "history --follow takes the subject (--review, --number, --agency, "
        "--person, --type) and --after, not --as-of, --min_position, "
        "--from, --to or paging");
  }
  v1::FollowHistoryRequest request;
  request.set_review_id(listing.review_id());
  request.set_number(listing.number());
  request.set_agency_id(listing.agency_id());
  request.set_person(listing.person());
  *request.mutable_event_types() = listing.event_types();
  request.set_after_position(absl::GetFlag(FLAGS_after));
  auto context = CallContext(clients);
  // No deadline: following runs until stopped.
  context->set_deadline(std::chrono::system_clock::time_point::max());
  auto reader = clients.queries->FollowHistory(context.get(), request);
  const bool json = options.output == OutputFormat::kJson;
  if (!json) {
    std::cout << absl::StrJoin({"POSITION", "OCCURRED", "RECORDED (UTC)",
                                "ACTOR", "TYPE", "SUBJECT"},
                               "  ")
              << "\n";
  }
  bool live = false;
  v1::FollowHistoryResponse message;
  while (reader->Read(&message)) {
    if (json) {
      if (PrintJson(message) != kExitOk) {  // one line each (JSON Lines)
        context->TryCancel();
        break;
      }
    } else {
      for (const v1::HistoryEntry& entry : message.entries()) {
        std::cout << absl::StrJoin(HistoryRow(entry), "  ") << "\n";
      }
      PrintDisclosure(
          std::cout, Disclosure{message.withheld(),
                                message.access_recorded_position() == 0
                                    ? std::vector<uint64_t>{}
                                    : std::vector<uint64_t>{
                                          message.access_recorded_position()}});
      if (!live && message.entries().empty()) {
        live = true;
        std::cout << "-- caught up at position " << message.caught_up_to()
                  << "; live (resume with --after=" << message.caught_up_to()
                  << ") --\n";
      }
    }
    std::cout.flush();
  }
  grpc::Status status = reader->Finish();
  return status.ok() ? kExitOk : Fail(status, *context);
}

}  // namespace

int History(const Clients& clients, const std::vector<std::string>& args) {
  if (!args.empty()) {
    return Usage(
        "history takes flags, not arguments: --review=R [--number=N], "
        "--agency=A [--person=P], --type, --from, --to");
  }
  QueryOptions options;
  if (absl::Status s = ReadQueryOptions(&options); !s.ok()) {
    return Usage(std::string(s.message()));
  }
  v1::ListHistoryRequest request;
  *request.mutable_as_of() = options.as_of;
  request.set_min_position(options.min_position);
  request.set_review_id(absl::GetFlag(FLAGS_review));
  request.set_number(absl::GetFlag(FLAGS_number));
  request.set_agency_id(absl::GetFlag(FLAGS_agency));
  request.set_person(absl::GetFlag(FLAGS_person));
  if (request.number() < 0) return Usage("--number must be 1 or more");
  if (request.number() != 0 && request.review_id().empty()) {
    return Usage("--number needs --review");
  }
  if (!request.person().empty() && request.agency_id().empty()) {
    return Usage("--person needs --agency, the person's agency");
  }
  for (const std::string& type : ParseEventTypes(absl::GetFlag(FLAGS_type))) {
    request.add_event_types(type);
  }
  google::protobuf::Timestamp from, to;
  bool has_from, has_to;
  if (std::string bad = ReadBounds(&from, &to, &has_from, &has_to);
      !bad.empty()) {
    return Usage(bad);
  }
  if (has_from) *request.mutable_occurred_from() = from;
  if (has_to) *request.mutable_occurred_to() = to;
  request.set_page_size(absl::GetFlag(FLAGS_page_size));
  request.set_page_token(absl::GetFlag(FLAGS_page_token));
  if (absl::GetFlag(FLAGS_follow)) {
    return FollowHistory(clients, options, request);
  }
  if (absl::GetFlag(FLAGS_after) != 0) return Usage("--after needs --follow");
  return Listing(clients, options, request, &v1::Queries::Stub::ListHistory,
                 &PrintHistoryListing);
}

int AccessLog(const Clients& clients, const std::vector<std::string>& args) {
  if (!args.empty()) {
    return Usage(
        "access-log takes flags, not arguments: --agency=A [--person=P], "
        "--from, --to, --kind");
  }
  if (!absl::GetFlag(FLAGS_as_of).empty()) {
    return Usage(
        "access-log takes no --as-of: it lists the whole log's accesses; "
        "--from and --to bound when they happened");
  }
  QueryOptions options;
  if (absl::Status s = ReadQueryOptions(&options); !s.ok()) {
    return Usage(std::string(s.message()));
  }
  v1::ListAccessLogRequest request;
  request.set_min_position(options.min_position);
  request.set_agency_id(absl::GetFlag(FLAGS_agency));
  request.set_person(absl::GetFlag(FLAGS_person));
  if (!request.person().empty() && request.agency_id().empty()) {
    return Usage("--person needs --agency, the person's agency");
  }
  absl::StatusOr<v1::AccessKind> kind =
      ParseAccessKind(absl::GetFlag(FLAGS_kind));
  if (!kind.ok()) return Usage(std::string(kind.status().message()));
  request.set_kind(*kind);
  google::protobuf::Timestamp from, to;
  bool has_from, has_to;
  if (std::string bad = ReadBounds(&from, &to, &has_from, &has_to);
      !bad.empty()) {
    return Usage(bad);
  }
  if (has_from) *request.mutable_from() = from;
  if (has_to) *request.mutable_to() = to;
  request.set_page_size(absl::GetFlag(FLAGS_page_size));
  request.set_page_token(absl::GetFlag(FLAGS_page_token));
  return Listing(clients, options, request, &v1::Queries::Stub::ListAccessLog,
                 &PrintAccessLogListing);
}

}  // namespace oversight::cli
