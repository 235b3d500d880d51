// `oversight export`: the event log, one stream, a stream prefix, a range
// of positions or of recorded times, as JSON Lines (clients/export_file.h)
// through EventStore.ReadAll / ReadStream, page by page.
//
//   oversight export [FROM [TO]] [--stream=S | --stream_prefix=P]
//                    [--from=TIME] [--to=TIME] [--out=FILE] [--quiet]
//
// FROM and TO are positions, as for `verify`; --from and --to bound when
// the events were recorded, as for `access-log` (a date, or an RFC 3339
// time; --to's date is the last day included). The export stops at the
// head as it stood when it began, so that what it reads while it runs
// (its own access records, say) does not keep it going.
//
// Need-to-know: with an entitled role and --justification the sensitive
// events come complete (and the server records the consultation in its
// access log); otherwise they come withheld, as the server sends them: no
// data, no metadata, the hash as recorded. The summary says how many.

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "clients/cli_format.h"
#include "clients/export_file.h"
#include "clients/export_progress.h"
#include "clients/query_format.h"
#include "clients/verbs.h"

ABSL_DECLARE_FLAG(std::string, stream_prefix);
ABSL_DECLARE_FLAG(std::string, from);
ABSL_DECLARE_FLAG(std::string, to);
ABSL_DECLARE_FLAG(std::string, out);
ABSL_DECLARE_FLAG(bool, quiet);

ABSL_FLAG(std::string, stream, "", "export: only the events of this stream");
ABSL_FLAG(uint64_t, progress_every, 100000,
          "export, replay, verify: a progress line on stderr every N events "
          "(and at least once a second while it runs); --quiet: none");

namespace oversight::cli {
namespace {

// Events read per call.
constexpr uint32_t kExportPage = 1000;

int64_t Micros(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000000 + t.nanos() / 1000;
}

struct ExportRange {
  uint64_t from = 1;                  // positions, inclusive
  uint64_t to = 0;                    // the head at the start when not given
  int64_t recorded_from = INT64_MIN;  // recorded_at, [from, to)
  int64_t recorded_to = INT64_MAX;
};

// Writes the events of one page that fall in `range`; false once past its
// end (positions and recorded times only grow along the log).
class Writer {
 public:
  Writer(std::ostream* out, const ExportRange& range, ProgressLine* progress)
      : out_(out), range_(range), progress_(progress) {}

  // Returns false when the export is complete (past the range), and sets
  // `*error` when the line cannot be written.
  bool Take(const v1::RecordedEvent& e, std::string* error) {
    if (e.position() > range_.to) return false;
    if (e.position() < range_.from) return true;
    const int64_t recorded = Micros(e.recorded_at());
    if (recorded >= range_.recorded_to) return false;
    if (recorded < range_.recorded_from) return true;
    absl::StatusOr<std::string> line = ExportLine(e);
    if (!line.ok()) {
      *error = std::string(line.status().message());
      return false;
    }
    *out_ << *line;
    if (!*out_) {
      *error = "write failed";
      return false;
    }
    ++exported;
    if (exported == 1) first = e.position();
    last = e.position();
    last_hash = e.hash();
    if (e.withheld()) ++withheld;
    if (progress_->Due(exported)) {
      progress_->Print(absl::StrCat("exported ", exported, " event",
                                    exported == 1 ? "" : "s", " to position ",
                                    e.position()));
    }
    return true;
  }

  uint64_t exported = 0;
  uint64_t withheld = 0;
  uint64_t first = 0;
  uint64_t last = 0;
  std::string last_hash;

 private:
  std::ostream* out_;
  const ExportRange& range_;
  ProgressLine* progress_;
};

}  // namespace

int Export(const Clients& clients, const std::vector<std::string>& args) {
  if (args.size() > 2)
    return Usage("export [FROM [TO]]: at most two positions");
  ExportRange range;
  uint64_t to_given = 0;
  if (!args.empty() &&
      (!absl::SimpleAtoi(args[0], &range.from) || range.from == 0)) {
    return Usage("FROM must be a position (1 or more)");
  }
  if (args.size() == 2 &&
      (!absl::SimpleAtoi(args[1], &to_given) || to_given < range.from)) {
    return Usage("TO must be a position no smaller than FROM");
  }
  const std::string stream = absl::GetFlag(FLAGS_stream);
  const std::string prefix = absl::GetFlag(FLAGS_stream_prefix);
  if (!stream.empty() && !prefix.empty()) {
    return Usage("export takes --stream or --stream_prefix, not both");
  }
  if (const std::string v = absl::GetFlag(FLAGS_from); !v.empty()) {
    absl::StatusOr<google::protobuf::Timestamp> t =
        ParseHistoryBound(v, Bound::kFrom);
    if (!t.ok()) return Usage(std::string(t.status().message()));
    range.recorded_from = Micros(*t);
  }
  if (const std::string v = absl::GetFlag(FLAGS_to); !v.empty()) {
    absl::StatusOr<google::protobuf::Timestamp> t =
        ParseHistoryBound(v, Bound::kTo);
    if (!t.ok()) return Usage(std::string(t.status().message()));
    range.recorded_to = Micros(*t);
  }

  // Pin the end: the head as it stands now.
  uint64_t head = 0;
  {
    auto ctx = CallContext(clients);
    v1::GetHeadResponse response;
    grpc::Status s = clients.events->GetHead(ctx.get(), {}, &response);
    if (!s.ok()) return Fail(s, *ctx);
    head = response.position();
    range.to = to_given != 0 ? std::min(to_given, head) : head;
  }

  // --out is written as PATH.partial and renamed to PATH once complete, so
  // an export cut short (a refusal, a lost server) never leaves a file
  // that looks whole: replay would take its missing tail for the end.
  const std::string path = absl::GetFlag(FLAGS_out);
  const std::string partial = path.empty() ? "" : path + ".partial";
  struct RemoveUnlessKept {
    const std::string& file;
    bool keep = false;
    ~RemoveUnlessKept() {
      if (!file.empty() && !keep) std::remove(file.c_str());
    }
  } cleanup{partial};
  std::ofstream file;
  std::ostream* out = &std::cout;
  if (!path.empty()) {
    file.open(partial, std::ios::binary | std::ios::trunc);
    if (!file.is_open()) {
      std::cerr << "oversight: cannot write " << partial << "\n";
      return kExitUsage;
    }
    out = &file;
  }
  const bool quiet = absl::GetFlag(FLAGS_quiet);
  ProgressLine progress(quiet ? nullptr : &std::cerr,
                        absl::GetFlag(FLAGS_progress_every));
  Writer writer(out, range, &progress);
  Disclosure disclosure;
  std::string error;
  if (range.from <= range.to) {
    if (stream.empty()) {
      v1::ReadAllRequest request;
      request.set_from_position(range.from);
      request.set_max_count(kExportPage);
      request.mutable_filter()->set_stream_prefix(prefix);
      for (bool more = true; more;) {
        auto ctx = CallContext(clients);
        v1::ReadAllResponse page;
        grpc::Status s = clients.events->ReadAll(ctx.get(), request, &page);
        if (!s.ok()) return Fail(s, *ctx);
        disclosure.Add(0, page.access_recorded_position());
        for (const v1::RecordedEvent& e : page.events()) {
          if (!writer.Take(e, &error)) {
            more = false;
            break;
          }
        }
        if (page.end_of_log() || page.next_position() > range.to) break;
        request.set_from_position(page.next_position());
      }
    } else {
      v1::ReadStreamRequest request;
      request.set_stream(stream);
      request.set_max_count(kExportPage);
      for (bool more = true; more;) {
        auto ctx = CallContext(clients);
        v1::ReadStreamResponse page;
        grpc::Status s = clients.events->ReadStream(ctx.get(), request, &page);
        if (!s.ok()) return Fail(s, *ctx);
        disclosure.Add(0, page.access_recorded_position());
        for (const v1::RecordedEvent& e : page.events()) {
          if (!writer.Take(e, &error)) {
            more = false;
            break;
          }
        }
        if (page.end_of_stream()) break;
        request.set_from_revision(page.next_revision());
      }
    }
  }
  if (!path.empty()) file.close();
  if (!error.empty() || (!path.empty() && file.fail())) {
    std::cerr << "oversight: cannot write "
              << (path.empty() ? "stdout" : partial)
              << (error.empty() ? "" : ": ") << error << "\n";
    return kExitUsage;
  }
  if (!path.empty()) {
    if (std::rename(partial.c_str(), path.c_str()) != 0) {
      std::cerr << "oversight: cannot rename " << partial << " to " << path
                << ": " << std::strerror(errno) << "\n";
      return kExitUsage;
    }
    cleanup.keep = true;
  }
  std::cout.flush();
  std::cerr << "exported " << writer.exported << " event"
            << (writer.exported == 1 ? "" : "s");
  if (writer.exported > 0) {
    std::cerr << ", positions " << writer.first << " to " << writer.last
              << " (hash " << Hex(writer.last_hash) << ")";
  }
  std::cerr << (path.empty() ? "" : " to ") << path << "; the head was " << head
            << " when the export began\n";
  disclosure.withheld = writer.withheld;
  PrintDisclosure(std::cerr, disclosure);
  return kExitOk;
}

}  // namespace oversight::cli
