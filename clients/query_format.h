// Arguments and rendering of the oversight CLI's query verbs (status,
// recommendation, history, attention, partner, access-log;
// clients/query_verbs.cc), apart from the calls, so that they can be
// tested without a server.
//
// Every answer prints, under the line saying what it reflects, what
// need-to-know withheld from it and where the access log recorded it
// (PrintDisclosure in clients/cli_format.h).
//
// Times print in UTC. Text prints in English, or with Lang::kWelsh in
// Welsh where the record has it and otherwise in English followed by
// " [en]".

#ifndef OVERSIGHT_CLIENTS_QUERY_FORMAT_H_
#define OVERSIGHT_CLIENTS_QUERY_FORMAT_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "clients/cli_format.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"
#include "oversight/v1/domain.pb.h"
#include "oversight/v1/queries.pb.h"

namespace oversight::cli {

enum class Lang { kEnglish, kWelsh };
enum class OutputFormat { kTable, kJson };

// "en" or "cy".
absl::StatusOr<Lang> ParseLang(absl::string_view value);
// "table" or "json".
absl::StatusOr<OutputFormat> ParseOutputFormat(absl::string_view value);

// The value of --as-of: one or two parts joined by a comma, at most one of
// each axis:
//  - "@N" or "position:N" (N >= 1): as_of.position, what had been recorded
//    by log position N;
//  - "YYYY-MM-DD": as_of.effective_at at the end of that day, UTC
//    (23:59:59.999999999), or `now` when that day is today and its end is
//    still to come;
//  - an RFC 3339 time ("2024-07-31T12:00:00Z", "2024-07-31T13:00:00+01:00"):
//    as_of.effective_at at that instant.
// "@120,2024-07-31" gives both. Anything else is INVALID_ARGUMENT, with a
// message that says what was expected.
absl::StatusOr<v1::AsOf> ParseAsOfFlag(absl::string_view value, absl::Time now);
absl::StatusOr<v1::AsOf> ParseAsOfFlag(absl::string_view value);

// The bounds of `history --from/--to`: a date, or an RFC 3339 time. A date
// is the start of that day (UTC) for --from and the start of the next day
// for --to (the server's range is [from, to), so --to names the last day
// included); a time is that instant either way.
enum class Bound { kFrom, kTo };
absl::StatusOr<google::protobuf::Timestamp> ParseHistoryBound(
    absl::string_view value, Bound bound);

// A list flag's items (--recipients=A,B): split at commas, the white space
// around each trimmed, empty ones dropped.
std::vector<std::string> ParseList(absl::string_view value);

// `access-log --kind`: "consultation" or "disclosure"; "" for both
// (ACCESS_KIND_UNSPECIFIED).
absl::StatusOr<v1::AccessKind> ParseAccessKind(absl::string_view value);

// "RatingAssigned" or "oversight.v1.RatingAssigned" ->
// "oversight.v1.RatingAssigned"; several may be joined by commas.
std::vector<std::string> ParseEventTypes(absl::string_view value);

// `text` in `lang` (see the file comment).
std::string Localized(const v1::LocalizedText& text, Lang lang);

// "Red", "Amber", "Green", or "not rated" for RATING_UNSPECIFIED.
std::string RatingName(v1::Rating rating);
// "Amber 2024-07", "not stated 2024-07", or "-" with no period.
std::string PeriodRatingCell(const v1::PeriodRating& rating);

// "2024-07-31T12:00:00Z" (fractions only when there are some), or "end of
// 2024-07-31 UTC" for the last instant of a day, as a date --as-of gives.
std::string FormatInstant(const google::protobuf::Timestamp& t);
// "as at position 120" or "as at position 120, effective 2024-07-31...".
std::string FormatReflects(const v1::Reflects& reflects);

// A rendered report, for `report` and `replay FILE report`: its bytes alone
// to `out` when `path` is empty; else written to `path`, and "wrote N bytes
// to PATH (as at ...; sha256 ...)" to `err`. kExitOk, or kExitUsage with
// "oversight: cannot write PATH" when the file cannot be written.
int WriteReportContent(const v1::GetReportResponse& response,
                       const std::string& path, std::ostream& out,
                       std::ostream& err);
// What `reflects` says was withheld, and where the access was recorded.
Disclosure DisclosureOf(const v1::Reflects& reflects);

// The response as one JSON document on one line (protobuf's JSON mapping,
// proto field names), followed by a newline.
absl::StatusOr<std::string> ToJson(const google::protobuf::Message& message);
// ToJson of `message` to stdout: kExitOk, or kExitRefused with
// "oversight: why" on stderr when it cannot be written as JSON.
int PrintJson(const google::protobuf::Message& message);

// A table: a header line and one line per row;
// columns are padded to their widest cell, counting UTF-8 characters, and
// separated by two spaces; trailing blanks are trimmed.
void PrintTable(std::ostream& out, const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows);

// `oversight status`: the review title and what the answer reflects, the
// periods, then one row per recommendation.
void PrintStatusBoard(std::ostream& out, const v1::GetStatusBoardResponse& r,
                      Lang lang);

// `oversight recommendation`: the summary, the text, then the updates,
// ratings, monitoring, cross-references, risks and meetings ("none" for a
// section without entries).
void PrintRecommendation(std::ostream& out,
                         const v1::GetRecommendationResponse& r, Lang lang);

// "agency/person", "agency" without a person, and for an event an
// importer recorded on the agency's behalf "agency/person (recorded by
// importer-agency/importer-person)".
std::string FormatActor(const v1::Actor& actor);

// `oversight history`: one row per entry: position, occurred date,
// recorded time, actor (FormatActor), short event type, and the subject
// followed by "  corrects P" / "  corrected by P,Q". A withheld entry
// (OFFICIAL-SENSITIVE, and the reader may not read it) has only its
// agency as actor and "withheld (OFFICIAL-SENSITIVE)" as subject.
std::vector<std::string> HistoryRow(const v1::HistoryEntry& entry);
// What the listing reflects and `disclosure`, then a table of HistoryRow.
// For the pages of one listing, `disclosure` sums up theirs.
void PrintHistoryListing(std::ostream& out, const v1::ListHistoryResponse& r,
                         const Disclosure& disclosure);
// PrintHistoryListing with the response's own disclosure.
void PrintHistory(std::ostream& out, const v1::ListHistoryResponse& r,
                  Lang lang);
// What an event is about: "review-1 #3 update u-7 (2024-07)".
std::string EventSubject(const v1::DomainEvent& event);

// `oversight attention`: the day judged on, then one row per item.
void PrintAttention(std::ostream& out, const v1::ListAttentionResponse& r,
                    Lang lang);

// `oversight partner`: each programme with a table of its figures (one
// row per figure key, one column per quarter) and the figures' labels,
// then the recommendations the agency owns or contributes to.
void PrintPartnerView(std::ostream& out, const v1::GetPartnerViewResponse& r,
                      Lang lang);

// "3,7-9,12": ascending positions, runs of consecutive ones as ranges;
// "-" for none.
std::string FormatPositions(
    const google::protobuf::RepeatedField<uint64_t>& positions);

// `oversight access-log`: one row per entry: position, when it happened
// (UTC), who (FormatActor), the role they held, kind, the method without
// its package ("Queries/ListHistory"), the positions read (FormatPositions),
// the justification, the recipients (joined by "; "), and the query (cut
// at 120 characters); "-" for what is empty.
std::vector<std::string> AccessLogRow(const v1::AccessLogEntry& entry);
// What the listing reflects and `disclosure`, then a table of AccessLogRow.
void PrintAccessLogListing(std::ostream& out,
                           const v1::ListAccessLogResponse& r,
                           const Disclosure& disclosure);
// PrintAccessLogListing with the response's own disclosure.
void PrintAccessLog(std::ostream& out, const v1::ListAccessLogResponse& r,
                    Lang lang);

}  // namespace oversight::cli

#endif  // OVERSIGHT_CLIENTS_QUERY_FORMAT_H_
