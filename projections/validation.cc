#include "projections/validation.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "projections/domain_errors.h"

namespace oversight::projections {
namespace {

bool IsLowerAlnum(char c) {
  return absl::ascii_isdigit(c) || (c >= 'a' && c <= 'z');
}

bool AllDigits(absl::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isdigit(c)) return false;
  }
  return !s.empty();
}

absl::Status BadDate(absl::string_view field, absl::string_view date) {
  return InvalidArgument(
      kReasonInvalidDate,
      absl::StrCat(field, ": \"", date,
                   "\" is not a date (YYYY-MM-DD, YYYY-MM or YYYY)"));
}

// Decodes the code point at `*p`, advancing it; false for a malformed,
// overlong or surrogate sequence, or past U+10FFFF.
bool NextCodePoint(const unsigned char** p, const unsigned char* end,
                   uint32_t* out) {
  const unsigned char* q = *p;
  uint32_t cp;
  int len;
  if (*q < 0x80) {
    cp = *q;
    len = 1;
  } else if ((*q & 0xE0) == 0xC0) {
    cp = *q & 0x1F;
    len = 2;
  } else if ((*q & 0xF0) == 0xE0) {
    cp = *q & 0x0F;
    len = 3;
  } else if ((*q & 0xF8) == 0xF0) {
    cp = *q & 0x07;
    len = 4;
  } else {
    return false;
  }
  if (end - q < len) return false;
  for (int i = 1; i < len; ++i) {
    if ((q[i] & 0xC0) != 0x80) return false;
    cp = (cp << 6) | (q[i] & 0x3F);
  }
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    return false;
  }
  *out = cp;
  *p = q + len;
  return true;
}

// White space as Unicode has it (Zs, line and paragraph separators), and
// the zero-width characters that show as nothing.
bool IsSpace(uint32_t cp) {
  return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0xA0 ||
         cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200B) || cp == 0x2028 ||
         cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000 ||
         cp == 0xFEFF;
}

// C0 and C1 controls other than newline and tab, and the bidirectional
// embedding, override and isolate controls, with which displayed text can
// be made to read otherwise than it is stored.
bool IsForbiddenControl(uint32_t cp) {
  return (cp < 0x20 && cp != '\n' && cp != '\t') || (cp >= 0x7F && cp < 0xA0) ||
         (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

// True when `s` has nothing but white space (valid UTF-8 assumed; a
// malformed tail counts as not blank).
bool IsBlank(absl::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  uint32_t cp;
  while (p < end) {
    if (!NextCodePoint(&p, end, &cp)) return false;
    if (!IsSpace(cp)) return false;
  }
  return true;
}

}  // namespace

bool ScanUtf8(absl::string_view text, size_t* chars, bool* control) {
  *chars = 0;
  *control = false;
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  uint32_t cp;
  while (p < end) {
    if (!NextCodePoint(&p, end, &cp)) return false;
    if (IsForbiddenControl(cp)) *control = true;
    ++*chars;
  }
  return true;
}

absl::Status CheckId(absl::string_view field, absl::string_view id) {
  if (id.empty()) {
    return InvalidArgument(kReasonMissingField,
                           absl::StrCat(field, " is required"));
  }
  bool ok = id.size() <= 64 && IsLowerAlnum(id[0]);
  for (char c : id) ok = ok && (IsLowerAlnum(c) || c == '-');
  if (!ok) {
    return InvalidArgument(
        kReasonInvalidId,
        absl::StrCat(field, ": \"", absl::CHexEscape(id.substr(0, 80)),
                     "\" is not an id (1 to 64 of a-z, 0-9 and '-', starting "
                     "with a letter or digit)"));
  }
  return absl::OkStatus();
}

absl::Status CheckEntityId(absl::string_view field, absl::string_view id) {
  if (id.empty()) {
    return InvalidArgument(kReasonMissingField,
                           absl::StrCat(field, " is required"));
  }
  bool ok = id.size() <= 128;
  for (char c : id) {
    ok = ok && (absl::ascii_isalnum(c) || c == '.' || c == '_' || c == ':' ||
                c == '-');
  }
  if (!ok) {
    return InvalidArgument(
        kReasonInvalidId,
        absl::StrCat(field, ": \"", absl::CHexEscape(id.substr(0, 80)),
                     "\" is not an id (1 to 128 of A-Z, a-z, 0-9, '.', '_', "
                     "':' and '-')"));
  }
  return absl::OkStatus();
}

absl::Status CheckRequestId(absl::string_view request_id) {
  absl::Status s = CheckEntityId("request_id", request_id);
  if (s.ok() || request_id.empty()) return s;
  return InvalidArgument(kReasonInvalidRequestId, s.message());
}

absl::Status CheckPlainText(absl::string_view field, absl::string_view text,
                            size_t max_chars, bool required) {
  size_t chars = 0;
  bool control = false;
  if (!ScanUtf8(text, &chars, &control)) {
    return InvalidArgument(kReasonInvalidText,
                           absl::StrCat(field, " is not valid UTF-8"));
  }
  if (control) {
    return InvalidArgument(
        kReasonInvalidText,
        absl::StrCat(field,
                     " holds a control character (only newline and "
                     "tab are allowed)"));
  }
  if (chars > max_chars) {
    return InvalidArgument(kReasonTextTooLong,
                           absl::StrCat(field, " has ", chars,
                                        " characters; at most ", max_chars));
  }
  if (required && IsBlank(text)) {
    return InvalidArgument(kReasonMissingField,
                           absl::StrCat(field, " is required"));
  }
  return absl::OkStatus();
}

absl::Status CheckText(absl::string_view field, const v1::LocalizedText& text,
                       size_t max_chars, bool required) {
  if (absl::Status s = CheckPlainText(absl::StrCat(field, ".en"), text.en(),
                                      max_chars, required);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckPlainText(absl::StrCat(field, ".cy"), text.cy(),
                                      max_chars, false);
      !s.ok()) {
    return s;
  }
  if (IsBlank(text.en()) && !IsBlank(text.cy())) {
    return InvalidArgument(
        kReasonMissingField,
        absl::StrCat(field, ".en is required when Welsh is given"));
  }
  return absl::OkStatus();
}

absl::StatusOr<absl::CivilDay> CheckDate(absl::string_view field,
                                         absl::string_view date) {
  if (date.empty()) {
    return InvalidArgument(kReasonMissingField,
                           absl::StrCat(field, " is required"));
  }
  int year = 0, month = 1, day = 1;
  const size_t n = date.size();
  if (n != 4 && n != 7 && n != 10) return BadDate(field, date);
  if (!AllDigits(date.substr(0, 4)) ||
      !absl::SimpleAtoi(date.substr(0, 4), &year)) {
    return BadDate(field, date);
  }
  if (n >= 7) {
    if (date[4] != '-' || !AllDigits(date.substr(5, 2)) ||
        !absl::SimpleAtoi(date.substr(5, 2), &month)) {
      return BadDate(field, date);
    }
  }
  if (n == 10) {
    if (date[7] != '-' || !AllDigits(date.substr(8, 2)) ||
        !absl::SimpleAtoi(date.substr(8, 2), &day)) {
      return BadDate(field, date);
    }
  }
  if (year < 1900 || year > 2999 || month < 1 || month > 12 || day < 1) {
    return BadDate(field, date);
  }
  const absl::CivilDay civil(year, month, day);
  // CivilDay normalises (2024-02-30 becomes 2024-03-01): refuse that.
  if (civil.month() != month || civil.day() != day) return BadDate(field, date);
  return civil;
}

absl::StatusOr<absl::CivilDay> CheckFullDate(absl::string_view field,
                                             absl::string_view date) {
  absl::StatusOr<absl::CivilDay> day = CheckDate(field, date);
  if (day.ok() && date.size() != 10) {
    return InvalidArgument(kReasonInvalidDate,
                           absl::StrCat(field, ": \"", date,
                                        "\" must be a full date, YYYY-MM-DD"));
  }
  return day;
}

absl::Status CheckPastDate(absl::string_view field, absl::string_view date,
                           absl::Time now) {
  absl::StatusOr<absl::CivilDay> day = CheckDate(field, date);
  if (!day.ok()) return day.status();
  if (*day > absl::ToCivilDay(now, absl::UTCTimeZone())) {
    return InvalidArgument(
        kReasonDateInFuture,
        absl::StrCat(field, ": ", date, " is in the future"));
  }
  return absl::OkStatus();
}

absl::Status CheckPeriod(absl::string_view field, absl::string_view period) {
  if (period.empty()) {
    return InvalidArgument(kReasonMissingField,
                           absl::StrCat(field, " is required"));
  }
  if (period.size() != 7 || !CheckDate(field, period).ok()) {
    return InvalidArgument(
        kReasonInvalidPeriod,
        absl::StrCat(field, ": \"", absl::CHexEscape(period.substr(0, 40)),
                     "\" is not a period label (YYYY-MM)"));
  }
  return absl::OkStatus();
}

absl::Status CheckQuarter(absl::string_view field, absl::string_view quarter) {
  if (quarter.empty()) {
    return InvalidArgument(kReasonMissingField,
                           absl::StrCat(field, " is required"));
  }
  if (quarter.size() != 7 || !CheckDate(field, quarter.substr(0, 4)).ok() ||
      quarter.substr(4, 2) != "-Q" || quarter[6] < '1' || quarter[6] > '4') {
    return InvalidArgument(
        kReasonInvalidQuarter,
        absl::StrCat(field, ": \"", absl::CHexEscape(quarter.substr(0, 40)),
                     "\" is not a quarter (YYYY-Qn, n from 1 to 4)"));
  }
  return absl::OkStatus();
}

absl::Status CheckUrl(absl::string_view field, absl::string_view url,
                      bool required) {
  if (url.empty()) {
    if (!required) return absl::OkStatus();
    return InvalidArgument(kReasonMissingField,
                           absl::StrCat(field, " is required"));
  }
  bool ok = url.size() <= kMaxUrlBytes && (absl::StartsWith(url, "https://") ||
                                           absl::StartsWith(url, "http://"));
  const size_t scheme = url.find("://");
  ok = ok && url.size() > scheme + 3;
  for (char c : url) {
    // Printable ASCII without spaces; other characters must be %-encoded.
    ok = ok && c > 0x20 && c < 0x7F;
  }
  if (!ok) {
    return InvalidArgument(
        kReasonInvalidUrl,
        absl::StrCat(field, " is not an http(s) URL of at most ", kMaxUrlBytes,
                     " printable ASCII characters"));
  }
  return absl::OkStatus();
}

absl::Status CheckSha256(absl::string_view field, absl::string_view hex) {
  if (hex.empty()) return absl::OkStatus();
  bool ok = hex.size() == 64;
  for (char c : hex)
    ok = ok && (absl::ascii_isdigit(c) || (c >= 'a' && c <= 'f'));
  if (!ok) {
    return InvalidArgument(
        kReasonInvalidSha256,
        absl::StrCat(field, " is not a SHA-256 (64 lowercase hex digits)"));
  }
  return absl::OkStatus();
}

absl::Status CheckLink(absl::string_view field, const v1::Link& link) {
  if (absl::Status s = CheckText(absl::StrCat(field, ".title"), link.title(),
                                 kMaxNameChars, true);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckUrl(absl::StrCat(field, ".url"), link.url(), true);
      !s.ok()) {
    return s;
  }
  return CheckSha256(absl::StrCat(field, ".sha256"), link.sha256());
}

absl::Status CheckLinks(
    absl::string_view field,
    const google::protobuf::RepeatedPtrField<v1::Link>& links) {
  if (links.size() > kMaxListItems) {
    return InvalidArgument(kReasonTooManyItems,
                           absl::StrCat(field, " has ", links.size(),
                                        " links; at most ", kMaxListItems));
  }
  for (int i = 0; i < links.size(); ++i) {
    if (absl::Status s = CheckLink(absl::StrCat(field, "[", i, "]"), links[i]);
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status CheckBullets(
    absl::string_view field,
    const google::protobuf::RepeatedPtrField<v1::Bullet>& bullets) {
  int count = 0;
  for (const v1::Bullet& b : bullets) count += 1 + b.sub_bullets_size();
  if (bullets.empty()) {
    return InvalidArgument(
        kReasonMissingField,
        absl::StrCat(field, ": at least one bullet is required"));
  }
  if (count > kMaxBullets) {
    return InvalidArgument(
        kReasonTooManyBullets,
        absl::StrCat(field, " has ", count,
                     " bullets and sub-bullets; at most ", kMaxBullets));
  }
  for (int i = 0; i < bullets.size(); ++i) {
    const std::string name = absl::StrCat(field, "[", i, "]");
    if (absl::Status s = CheckText(absl::StrCat(name, ".text"),
                                   bullets[i].text(), kMaxTextChars, true);
        !s.ok()) {
      return s;
    }
    for (int j = 0; j < bullets[i].sub_bullets_size(); ++j) {
      if (absl::Status s =
              CheckText(absl::StrCat(name, ".sub_bullets[", j, "]"),
                        bullets[i].sub_bullets(j), kMaxTextChars, true);
          !s.ok()) {
        return s;
      }
    }
  }
  return absl::OkStatus();
}

absl::Status CheckParagraphs(
    absl::string_view field,
    const google::protobuf::RepeatedPtrField<v1::LocalizedText>& paragraphs,
    int max, bool required) {
  if (required && paragraphs.empty()) {
    return InvalidArgument(kReasonMissingField,
                           absl::StrCat(field, ": at least one is required"));
  }
  if (paragraphs.size() > max) {
    return InvalidArgument(kReasonTooManyItems,
                           absl::StrCat(field, " has ", paragraphs.size(),
                                        " entries; at most ", max));
  }
  for (int i = 0; i < paragraphs.size(); ++i) {
    if (absl::Status s = CheckText(absl::StrCat(field, "[", i, "]"),
                                   paragraphs[i], kMaxTextChars, true);
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status CheckRecommendationNumber(absl::string_view field,
                                       int64_t number) {
  if (number < 1 || number > kMaxRecommendationNumber) {
    return InvalidArgument(
        kReasonInvalidNumber,
        absl::StrCat(field, ": ", number,
                     " is not a recommendation number (1 to ",
                     kMaxRecommendationNumber, ")"));
  }
  return absl::OkStatus();
}

absl::Status CheckRecommendationNumbers(
    absl::string_view field,
    const google::protobuf::RepeatedField<int32_t>& numbers) {
  if (numbers.size() > kMaxListItems) {
    return InvalidArgument(kReasonTooManyItems,
                           absl::StrCat(field, " has ", numbers.size(),
                                        " entries; at most ", kMaxListItems));
  }
  absl::flat_hash_set<int32_t> seen;
  for (int32_t n : numbers) {
    if (absl::Status s = CheckRecommendationNumber(field, n); !s.ok()) return s;
    if (!seen.insert(n).second) {
      return InvalidArgument(kReasonDuplicateValue,
                             absl::StrCat(field, " lists ", n, " twice"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<ReportLanguage> CheckReportLanguage(absl::string_view field,
                                                   v1::ReportLanguage value) {
  if (absl::Status s = CheckEnum(field, value, v1::ReportLanguage_IsValid);
      !s.ok()) {
    return s;
  }
  return value == v1::REPORT_LANGUAGE_WELSH ? ReportLanguage::kWelsh
                                            : ReportLanguage::kEnglish;
}

absl::StatusOr<ReportFormat> CheckReportFormat(absl::string_view field,
                                               v1::ReportFormat value) {
  if (absl::Status s = CheckEnum(field, value, v1::ReportFormat_IsValid);
      !s.ok()) {
    return s;
  }
  return value == v1::REPORT_FORMAT_HTML ? ReportFormat::kHtml
                                         : ReportFormat::kMarkdown;
}

absl::Status CheckEnum(absl::string_view field, int value,
                       bool (*is_valid)(int)) {
  if (value == 0) {
    return InvalidArgument(
        kReasonInvalidEnum,
        absl::StrCat(field, " is required (not UNSPECIFIED)"));
  }
  if (!is_valid(value)) {
    return InvalidArgument(
        kReasonInvalidEnum,
        absl::StrCat(field, ": ", value, " is not a known value"));
  }
  return absl::OkStatus();
}

absl::StatusOr<absl::Time> CheckOccurredAt(
    bool has_occurred_at, const google::protobuf::Timestamp& occurred_at,
    absl::Time now) {
  if (!has_occurred_at) return now;
  // Timestamp's documented range: 0001-01-01 to 9999-12-31.
  constexpr int64_t kMinSeconds = -62135596800;
  constexpr int64_t kMaxSeconds = 253402300799;
  if (occurred_at.seconds() < kMinSeconds ||
      occurred_at.seconds() > kMaxSeconds || occurred_at.nanos() < 0 ||
      occurred_at.nanos() > 999999999) {
    return InvalidArgument(kReasonInvalidTimestamp,
                           "occurred_at is not a valid timestamp");
  }
  const absl::Time t = absl::FromUnixSeconds(occurred_at.seconds()) +
                       absl::Nanoseconds(occurred_at.nanos());
  if (t > now + kMaxClockSkew) {
    return InvalidArgument(
        kReasonOccurredInFuture,
        absl::StrCat("occurred_at ", absl::FormatTime(t),
                     " is in the future; facts are recorded once they happen"));
  }
  return t;
}

}  // namespace oversight::projections
