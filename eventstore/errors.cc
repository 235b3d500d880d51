#include "eventstore/errors.h"

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace oversight::eventstore {
namespace {

constexpr char kReasonUrl[] = "type.oversight.dev/reason";
constexpr char kCurrentRevisionUrl[] = "type.oversight.dev/current-revision";
constexpr char kNoStream[] = "none";

}  // namespace

absl::Status StoreClosedError() {
  return WithReason(absl::UnavailableError("the event log is closed"),
                    kReasonStoreClosed);
}

absl::Status WithReason(absl::Status status, absl::string_view reason) {
  status.SetPayload(kReasonUrl, absl::Cord(reason));
  return status;
}

std::optional<std::string> ReasonOf(const absl::Status& status) {
  auto payload = status.GetPayload(kReasonUrl);
  if (!payload) return std::nullopt;
  return std::string(*payload);
}

absl::Status WrongExpectedRevision(absl::string_view stream,
                                   const ExpectedRevision& expected,
                                   std::optional<Revision> current) {
  std::string current_text =
      current ? absl::StrCat(*current) : std::string(kNoStream);
  absl::Status s = absl::AbortedError(absl::StrCat(
      "stream \"", stream, "\": expected ", expected.ToString(),
      ", current revision is ", current ? current_text : "none (no stream)"));
  s.SetPayload(kCurrentRevisionUrl, absl::Cord(current_text));
  return WithReason(std::move(s), kReasonWrongExpectedRevision);
}

std::optional<std::optional<Revision>> CurrentRevisionOf(
    const absl::Status& status) {
  auto payload = status.GetPayload(kCurrentRevisionUrl);
  if (!payload) return std::nullopt;
  std::string text(*payload);
  if (text == kNoStream) return std::optional<Revision>();
  Revision r;
  if (!absl::SimpleAtoi(text, &r)) return std::nullopt;
  return std::optional<Revision>(r);
}

}  // namespace oversight::eventstore
