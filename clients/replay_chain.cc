#include "clients/replay_chain.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "eventstore/record_format.h"

namespace oversight::cli {

namespace es = ::oversight::eventstore;

namespace {

es::Hash HashOf(const std::string& bytes) {
  es::Hash hash{};
  std::copy(bytes.begin(), bytes.end(), hash.begin());
  return hash;
}

}  // namespace

ChainCheck CheckChain(const std::vector<ExportedEvent>& events,
                      const ChainProgress& progress) {
  ChainCheck check;
  if (events.empty()) return check;
  check.first_position = events.front().event.position();
  std::string record;
  const v1::RecordedEvent* previous = nullptr;
  for (const ExportedEvent& line : events) {
    const v1::RecordedEvent& e = line.event;
    const es::Hash stored = HashOf(e.hash());
    const bool linked = previous == nullptr
                            ? e.position() == 1
                            : previous->position() + 1 == e.position();
    if (e.withheld() || !linked) {
      if (e.withheld()) {
        ++check.withheld;
      } else {
        ++check.after_gap;
      }
      if (check.unchecked_positions.size() < ChainCheck::kMaxListed) {
        check.unchecked_positions.push_back(e.position());
      }
    } else {
      const es::Hash before =
          previous == nullptr ? es::kGenesisHash : HashOf(previous->hash());
      record.clear();
      es::EncodeRecord(ToLogEvent(e), &record);
      const es::Hash computed = es::ChainHash(before, record);
      if (computed != stored) {
        check.ok = false;
        check.first_bad = e.position();
        check.first_bad_line = line.line_number;
        check.problem =
            absl::StrCat("chain hash mismatch: stored ", es::HashToHex(stored),
                         ", computed ", es::HashToHex(computed));
        return check;
      }
      ++check.recomputed;
    }
    ++check.events;
    check.last_position = e.position();
    check.head_hash = e.hash();
    previous = &e;
    if (progress != nullptr) progress(check.events);
  }
  return check;
}

std::string DescribeChain(const ChainCheck& check) {
  if (!check.ok) {
    return absl::StrCat("chain broken at position ", check.first_bad, " (line ",
                        check.first_bad_line, "): ", check.problem, "\n");
  }
  if (check.events == 0) return "chain verified: no events\n";
  std::string text = absl::StrCat(
      "chain verified: ", check.events, " event", check.events == 1 ? "" : "s",
      ", positions ", check.first_position, " to ", check.last_position, ", ",
      check.recomputed, " hash", check.recomputed == 1 ? "" : "es",
      " recomputed\n");
  if (check.unchecked() > 0) {
    absl::StrAppend(
        &text, check.unchecked(), " hash", check.unchecked() == 1 ? "" : "es",
        " not verifiable, taken as given: ", check.withheld,
        " withheld (no data), ", check.after_gap,
        " after a gap in positions (the predecessor is not in the file): "
        "position",
        check.unchecked() == 1 ? " " : "s ",
        absl::StrJoin(check.unchecked_positions, ", "),
        check.unchecked() > check.unchecked_positions.size() ? ", ..." : "",
        "\n");
  }
  return text;
}

}  // namespace oversight::cli
