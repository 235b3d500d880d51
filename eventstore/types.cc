#include "eventstore/types.h"

#include <openssl/rand.h>

#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "eventstore/errors.h"

namespace oversight::eventstore {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

constexpr char kHex[] = "0123456789abcdef";

}  // namespace

std::string HashToHex(const Hash& hash) {
  std::string out;
  out.reserve(64);
  for (uint8_t b : hash) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xf]);
  }
  return out;
}

absl::StatusOr<EventId> EventId::Parse(absl::string_view text) {
  auto invalid = [&](absl::string_view why) {
    return WithReason(
        absl::InvalidArgumentError(absl::StrCat(
            "event id \"", text.substr(0, 64), "\" is not a UUID: ", why)),
        kReasonInvalidEventId);
  };
  if (text.size() != 36) return invalid("expected 36 characters");
  std::array<uint8_t, 16> bytes{};
  size_t out = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i] != '-') return invalid("expected '-' at 8, 13, 18 and 23");
      continue;
    }
    int hi = HexValue(text[i]);
    int lo = (i + 1 < text.size()) ? HexValue(text[i + 1]) : -1;
    if (hi < 0 || lo < 0) return invalid("expected hexadecimal digits");
    bytes[out++] = static_cast<uint8_t>(hi << 4 | lo);
    ++i;
  }
  EventId id(bytes);
  if (id.IsNil()) return invalid("the nil UUID is not an event id");
  return id;
}

EventId EventId::Random() {
  std::array<uint8_t, 16> bytes{};
  RAND_bytes(bytes.data(), static_cast<int>(bytes.size()));
  bytes[6] = static_cast<uint8_t>((bytes[6] & 0x0f) | 0x40);  // Version 4.
  bytes[8] = static_cast<uint8_t>((bytes[8] & 0x3f) | 0x80);  // RFC 4122.
  return EventId(bytes);
}

EventId EventId::FromBytes(absl::string_view raw) {
  std::array<uint8_t, 16> bytes{};
  std::memcpy(bytes.data(), raw.data(), std::min(raw.size(), bytes.size()));
  return EventId(bytes);
}

std::string EventId::ToString() const {
  std::string out;
  out.reserve(36);
  for (size_t i = 0; i < bytes_.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[bytes_[i] >> 4]);
    out.push_back(kHex[bytes_[i] & 0xf]);
  }
  return out;
}

bool EventId::IsNil() const {
  for (uint8_t b : bytes_) {
    if (b != 0) return false;
  }
  return true;
}

std::string ExpectedRevision::ToString() const {
  switch (kind_) {
    case Kind::kAny:
      return "any";
    case Kind::kNoStream:
      return "no stream";
    case Kind::kStreamExists:
      return "stream exists";
    case Kind::kExact:
      return absl::StrCat("revision ", revision_);
  }
  return "?";
}

bool EventFilter::Matches(absl::string_view stream,
                          absl::string_view type) const {
  if (!stream_prefix.empty() &&
      stream.substr(0, stream_prefix.size()) != stream_prefix) {
    return false;
  }
  if (event_types.empty()) return true;
  for (const std::string& t : event_types) {
    if (t == type) return true;
  }
  return false;
}

}  // namespace oversight::eventstore
