#include "tests/crash/crash_protocol.h"

#include <unistd.h>

#include <cerrno>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace oversight::crash {

ProposedEvent EventFor(const EventId& id) {
  static constexpr const char* kTypes[] = {"crash.v1.Opened", "crash.v1.Noted",
                                           "crash.v1.Assigned",
                                           "crash.v1.Closed"};
  const absl::string_view b = id.bytes();
  auto byte = [&](size_t i) { return static_cast<uint8_t>(b[i]); };
  ProposedEvent e;
  e.id = id;
  e.type = kTypes[byte(15) % 4];
  const size_t size = size_t{byte(14)} * 2;
  e.data.resize(size);
  for (size_t k = 0; k < size; ++k) {
    e.data[k] = static_cast<char>(byte(k % 16) ^ ((k * 31) & 0xff));
  }
  if (byte(13) % 3 != 0) e.metadata = absl::StrCat("meta:", id.ToString());
  return e;
}

EventId IdFrom(std::mt19937_64& rng) {
  std::array<uint8_t, 16> bytes;
  const uint64_t hi = rng(), lo = rng();
  for (int i = 0; i < 8; ++i) {
    bytes[i] = static_cast<uint8_t>(hi >> (8 * i));
    bytes[8 + i] = static_cast<uint8_t>(lo >> (8 * i));
  }
  bytes[6] = static_cast<uint8_t>((bytes[6] & 0x0f) | 0x40);  // Version 4.
  bytes[8] = static_cast<uint8_t>((bytes[8] & 0x3f) | 0x80);  // RFC 4122.
  return EventId(bytes);
}

std::string OwnedStream(int thread, int k) {
  return absl::StrCat("review-t", thread, "-", k);
}

std::string SharedStream(int k) { return absl::StrCat("recommendation-", k); }

std::string JoinIds(const std::vector<EventId>& ids) {
  return absl::StrJoin(ids, ",", [](std::string* out, const EventId& id) {
    out->append(id.ToString());
  });
}

std::optional<std::vector<EventId>> SplitIds(absl::string_view joined) {
  std::vector<EventId> ids;
  for (absl::string_view part : absl::StrSplit(joined, ',')) {
    absl::StatusOr<EventId> id = EventId::Parse(part);
    if (!id.ok()) return std::nullopt;
    ids.push_back(*id);
  }
  return ids;
}

void WriteLine(int fd, absl::string_view line) {
  std::string buf(line);
  buf.push_back('\n');
  const char* p = buf.data();
  size_t left = buf.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
}

std::optional<Report> ParseReport(absl::string_view line) {
  if (line.size() < 2 || line[1] != ' ') return std::nullopt;
  Report r;
  r.kind = line[0];
  const absl::string_view rest = line.substr(2);
  std::vector<absl::string_view> f = absl::StrSplit(rest, ' ');
  auto num = [](absl::string_view s, uint64_t* v) {
    return absl::SimpleAtoi(s, v);
  };
  switch (r.kind) {
    case 'O':
      if (f.size() != 1 || !num(f[0], &r.head)) return std::nullopt;
      return r;
    case 'B':
      if (f.size() != 2) return std::nullopt;
      r.stream = std::string(f[0]);
      r.ids = std::string(f[1]);
      return r;
    case 'A': {
      uint64_t dedup = 0;
      if (f.size() != 7 || !num(f[1], &r.first_position) ||
          !num(f[2], &r.last_position) || !num(f[3], &r.first_revision) ||
          !num(f[4], &r.last_revision) || !num(f[5], &dedup) || dedup > 1) {
        return std::nullopt;
      }
      r.stream = std::string(f[0]);
      r.deduplicated = dedup == 1;
      r.ids = std::string(f[6]);
      return r;
    }
    case 'F':
      if (f.size() != 3) return std::nullopt;
      r.stream = std::string(f[0]);
      r.text = std::string(f[1]);
      r.ids = std::string(f[2]);
      return r;
    case 'X':
      r.text = std::string(rest);
      return r;
  }
  return std::nullopt;
}

}  // namespace oversight::crash
