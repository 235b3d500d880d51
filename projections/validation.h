// Checks of the shape of command fields, independent of any state: ids,
// text, dates, periods, links. Each returns OK or InvalidArgument with a
// reason from domain_errors.h and a message naming the field.
//
// Example:
//   if (absl::Status s = CheckId("review.review_id", r.review_id()); !s.ok())
//     return s;

#ifndef OVERSIGHT_PROJECTIONS_VALIDATION_H_
#define OVERSIGHT_PROJECTIONS_VALIDATION_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "google/protobuf/timestamp.pb.h"
#include "oversight/v1/domain.pb.h"
#include "projections/report.h"

namespace oversight::projections {

// Limits, in Unicode code points for text.
inline constexpr size_t kMaxNameChars = 500;   // titles, names, questions
inline constexpr size_t kMaxTextChars = 4000;  // a bullet, a rationale, ...
inline constexpr size_t kMaxPersonChars = 200;
inline constexpr int kMaxBullets = 50;     // bullets and sub-bullets together
inline constexpr int kMaxListItems = 100;  // evidence, findings, figures, ...
inline constexpr size_t kMaxUrlBytes = 2048;
inline constexpr int kMaxRecommendationNumber = 9999;
// How far in the future a live command's occurred_at may lie (clock skew).
inline constexpr absl::Duration kMaxClockSkew = absl::Minutes(1);

// Whether `text` is valid UTF-8 (no overlong forms, no surrogates); sets
// `*chars` to its number of code points and `*control` to whether it holds
// a control character other than newline and tab, or a bidirectional
// embedding, override or isolate control (U+202A..E, U+2066..9).
bool ScanUtf8(absl::string_view text, size_t* chars, bool* control);

// Agency, review, programme and theme ids: 1 to 64 of [a-z0-9-], starting
// with a letter or digit.
absl::Status CheckId(absl::string_view field, absl::string_view id);
// Ids inside an aggregate (update, activity, risk, ...) and request ids:
// 1 to 128 of [A-Za-z0-9._:-].
absl::Status CheckEntityId(absl::string_view field, absl::string_view id);
absl::Status CheckRequestId(absl::string_view request_id);

// Plain text: valid UTF-8, no control characters but newline and tab, at
// most `max_chars` code points, and, when `required`, not blank (white
// space includes Unicode's spaces and zero-width characters).
absl::Status CheckPlainText(absl::string_view field, absl::string_view text,
                            size_t max_chars, bool required);
// English checked as CheckPlainText; Welsh the same but always optional.
// When !required, Welsh without English is refused.
absl::Status CheckText(absl::string_view field, const v1::LocalizedText& text,
                       size_t max_chars, bool required);

// A calendar date "YYYY-MM-DD", "YYYY-MM" or "YYYY" (years 1900 to 2999).
// Returns its first day.
absl::StatusOr<absl::CivilDay> CheckDate(absl::string_view field,
                                         absl::string_view date);
// Only the full form "YYYY-MM-DD".
absl::StatusOr<absl::CivilDay> CheckFullDate(absl::string_view field,
                                             absl::string_view date);
// A date whose first day is not after `now` (UTC); DATE_IN_FUTURE if it is.
absl::Status CheckPastDate(absl::string_view field, absl::string_view date,
                           absl::Time now);
// A reporting period label "YYYY-MM".
absl::Status CheckPeriod(absl::string_view field, absl::string_view period);
// A calendar quarter "YYYY-Qn", n in 1..4.
absl::Status CheckQuarter(absl::string_view field, absl::string_view quarter);

absl::Status CheckUrl(absl::string_view field, absl::string_view url,
                      bool required);
// Empty, or 64 lowercase hexadecimal digits.
absl::Status CheckSha256(absl::string_view field, absl::string_view hex);
// A title (required), a URL (required) and an optional SHA-256.
absl::Status CheckLink(absl::string_view field, const v1::Link& link);
absl::Status CheckLinks(absl::string_view field,
                        const google::protobuf::RepeatedPtrField<v1::Link>&);
// 1 to kMaxBullets bullets and sub-bullets in all, each kMaxTextChars.
absl::Status CheckBullets(
    absl::string_view field,
    const google::protobuf::RepeatedPtrField<v1::Bullet>& bullets);
// 1 to `max` paragraphs of required text.
absl::Status CheckParagraphs(
    absl::string_view field,
    const google::protobuf::RepeatedPtrField<v1::LocalizedText>& paragraphs,
    int max, bool required);

absl::Status CheckRecommendationNumber(absl::string_view field, int64_t number);
// A list of distinct recommendation numbers, at most kMaxListItems.
absl::Status CheckRecommendationNumbers(
    absl::string_view field,
    const google::protobuf::RepeatedField<int32_t>& numbers);

// An enum value the schema defines, other than the UNSPECIFIED zero.
absl::Status CheckEnum(absl::string_view field, int value,
                       bool (*is_valid)(int));

// A report's language and format as the renderer knows them; INVALID_ARGUMENT
// (INVALID_ENUM_VALUE) for UNSPECIFIED or an unknown value.
absl::StatusOr<ReportLanguage> CheckReportLanguage(absl::string_view field,
                                                   v1::ReportLanguage value);
absl::StatusOr<ReportFormat> CheckReportFormat(absl::string_view field,
                                               v1::ReportFormat value);

// The command's effective time: `now` when unset; otherwise a valid
// timestamp no later than now + kMaxClockSkew.
absl::StatusOr<absl::Time> CheckOccurredAt(
    bool has_occurred_at, const google::protobuf::Timestamp& occurred_at,
    absl::Time now);

}  // namespace oversight::projections

#endif  // OVERSIGHT_PROJECTIONS_VALIDATION_H_
