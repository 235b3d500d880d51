#include "clients/cli_format.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"

namespace oversight::cli {
namespace {

const char* CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return "UNKNOWN_CODE";
  }
}

bool Printable(const std::string& s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

}  // namespace

std::string Hex(const std::string& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xf]);
  }
  return out;
}

std::string FormatStatus(const grpc::Status& status,
                         const grpc::ClientContext& context) {
  std::string reason;
  auto it = context.GetServerTrailingMetadata().find("oversight-reason");
  if (it != context.GetServerTrailingMetadata().end()) {
    reason = absl::StrCat(
        " (", std::string(it->second.data(), it->second.size()), ")");
  }
  return absl::StrCat(CodeName(status.error_code()), reason, ": ",
                      status.error_message());
}

std::string FormatError(const grpc::Status& status,
                        const grpc::ClientContext& context) {
  return absl::StrCat("error: ", FormatStatus(status, context));
}

int ExitCodeFor(const grpc::Status& status,
                const grpc::ClientContext& context) {
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE &&
      context.GetServerTrailingMetadata().count("oversight-reason") == 0) {
    return kExitUnreachable;
  }
  if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    return kExitUnreachable;
  }
  if (status.error_code() == grpc::StatusCode::DATA_LOSS) return kExitBroken;
  return kExitRefused;
}

void PrintHeader(std::ostream& out) {
  out << absl::StrFormat("%-10s %-32s %-28s %-24s %s\n", "POSITION",
                         "STREAM@REVISION", "TYPE", "RECORDED (UTC)", "DATA");
}

void PrintEvent(std::ostream& out, const v1::RecordedEvent& e) {
  const absl::Time t = absl::FromUnixSeconds(e.recorded_at().seconds()) +
                       absl::Nanoseconds(e.recorded_at().nanos());
  std::string data = e.withheld() ? "withheld (OFFICIAL-SENSITIVE)"
                     : Printable(e.data())
                         ? e.data().substr(0, 60)
                         : absl::StrCat("<", e.data().size(), " bytes>");
  out << absl::StrFormat(
      "%-10d %-32s %-28s %-24s %s\n", e.position(),
      absl::StrCat(e.stream(), "@", e.revision()), e.type(),
      absl::FormatTime("%Y-%m-%d %H:%M:%E3S", t, absl::UTCTimeZone()), data);
}

void Disclosure::Add(uint64_t withheld_events,
                     uint64_t access_recorded_position) {
  withheld += withheld_events;
  if (access_recorded_position != 0) {
    access_positions.push_back(access_recorded_position);
  }
}

void PrintDisclosure(std::ostream& out, const Disclosure& d) {
  if (d.withheld > 0) {
    out << d.withheld << " OFFICIAL-SENSITIVE event"
        << (d.withheld == 1 ? "" : "s")
        << " withheld (not entitled, or no --justification)\n";
  }
  if (!d.access_positions.empty()) {
    out << "access recorded at position"
        << (d.access_positions.size() == 1 ? " " : "s ")
        << absl::StrJoin(d.access_positions, ", ") << "\n";
  }
}

}  // namespace oversight::cli
