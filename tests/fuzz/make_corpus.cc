// Writes the seed corpora of the fuzz targets into DIR/<target>/, from what
// the tests use: the seed world's commands and events (seed_world.h), the
// example import file, stored records, issued page tokens and report
// texts. Run it after a change of a format, then commit what it wrote:
//
//   build/tests/fuzz/fuzz_make_corpus tests/fuzz/corpus
//       examples/dyfed-powys/stalking-review-2025-01.jsonl   (one line)
//
// The import_file corpus is pieces of the example file itself.

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "eventstore/record_format.h"
#include "eventstore/types.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/json_util.h"
#include "oversight/v1/commands.pb.h"
#include "oversight/v1/queries.pb.h"
#include "projections/aggregates.h"
#include "services/query_support.h"
#include "tests/fuzz/page_token_key.h"
#include "tests/fuzz/seed_world.h"

namespace {

namespace fs = std::filesystem;
namespace es = ::oversight::eventstore;
namespace pj = ::oversight::projections;
namespace v1 = ::oversight::v1;
namespace fz = ::oversight::fuzz;

void Write(const fs::path& dir, const std::string& name,
           const std::string& bytes) {
  fs::create_directories(dir);
  std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
  out << bytes;
  if (!out) {
    std::fprintf(stderr, "cannot write %s\n", (dir / name).c_str());
    std::exit(1);
  }
}

// Messages as the command target reads them: a world byte, then each
// message length-delimited.
std::string Sequence(bool empty_world, const std::vector<v1::ImportLine>& v) {
  std::string out(1, empty_world ? '\x01' : '\x00');
  google::protobuf::io::StringOutputStream stream(&out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  for (const v1::ImportLine& line : v) {
    coded.WriteVarint32(static_cast<uint32_t>(line.ByteSizeLong()));
    line.SerializeToCodedStream(&coded);
  }
  coded.Trim();
  return out;
}

std::vector<std::string> CommandLines(const std::string& example) {
  std::vector<std::string> lines;
  std::istringstream in(example);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] == '{') lines.push_back(line);
  }
  return lines;
}

void Records(const fs::path& dir) {
  const fz::World& world = fz::SeedWorld();
  int n = 0;
  // Three events of the world as the log stores them.
  for (size_t i : {size_t{0}, size_t{5}, world.log.size() - 1}) {
    const pj::RecordedDomainEvent& e = world.log[i];
    es::RecordedEvent r;
    r.position = e.position;
    r.stream = e.stream;
    r.revision = e.revision;
    r.id = es::EventId::Random();
    r.type = pj::EventTypeName(e.event);
    r.data = e.event.SerializeAsString();
    r.metadata = "{\"importer\":\"seed\"}";
    r.recorded_at = e.recorded_at;
    std::string bytes;
    es::EncodeRecord(r, &bytes);
    Write(dir, absl::StrFormat("record-%02d", n++), bytes);
  }
  // Empty fields, extreme values, a 200-byte stream (two-byte prefix).
  es::RecordedEvent r;
  std::string bytes;
  es::EncodeRecord(r, &bytes);
  Write(dir, absl::StrFormat("record-%02d", n++), bytes);
  r.position = ~uint64_t{0};
  r.revision = uint64_t{1} << 63;
  r.recorded_at = absl::FromUnixMicros(-1);
  r.stream = std::string(200, 's');
  r.type = "t";
  bytes.clear();
  es::EncodeRecord(r, &bytes);
  Write(dir, absl::StrFormat("record-%02d", n++), bytes);
  // The same with its empty data's prefix spelled in two bytes (0x80 0x00):
  // decodable, but not as EncodeRecord writes it.
  const size_t data_prefix = es::kRecordFixedSize + 2 + 200 + 2;
  std::string long_prefix = bytes;
  long_prefix.replace(data_prefix, 1, std::string("\x80\x00", 2));
  Write(dir, absl::StrFormat("record-%02d", n++), long_prefix);
  // Truncated, trailing bytes, another version, and a stored value.
  Write(dir, absl::StrFormat("record-%02d", n++),
        bytes.substr(0, bytes.size() - 1));
  Write(dir, absl::StrFormat("record-%02d", n++), bytes + "x");
  std::string v2 = bytes;
  v2[0] = 2;
  Write(dir, absl::StrFormat("record-%02d", n++), v2);
  Write(dir, absl::StrFormat("record-%02d", n++),
        std::string(es::kHashSize, '\x11') + bytes);
}

void Events(const fs::path& dir) {
  const fz::World& world = fz::SeedWorld();
  int n = 0;
  for (const pj::RecordedDomainEvent& e : world.log) {
    Write(dir, absl::StrFormat("event-%02d", n++), e.event.SerializeAsString());
  }
  // A payload in two pieces, and two payloads (the last wins).
  const std::string risk = world.log[17].event.SerializeAsString();
  const std::string meeting = world.log[16].event.SerializeAsString();
  Write(dir, absl::StrFormat("event-%02d", n++), risk + risk);
  Write(dir, absl::StrFormat("event-%02d", n++), meeting + risk);
}

void Commands(const fs::path& dir, const std::string& example) {
  int n = 0;
  // Each command of the world again (mostly refused now: already done).
  for (fz::SeedCommand& c : fz::WorldCommands()) {
    fz::Stamp(&c.line, absl::StrCat("again-", n));
    Write(dir, absl::StrFormat("world-%02d", n++), Sequence(false, {c.line}));
  }
  // Commands the world accepts, one or several in a row.
  auto line = [](const std::string& json) {
    v1::ImportLine l;
    if (!google::protobuf::util::JsonStringToMessage(json, &l).ok()) {
      std::fprintf(stderr, "bad seed command %s\n", json.c_str());
      std::exit(1);
    }
    return l;
  };
  const std::
      vector<std::vector<std::string>>
          accepted =
              {
                  {R"({"agency":"police","actor":"p","withdraw_progress_update":{"request_id":"w1","classification":"CLASSIFICATION_OFFICIAL","withdrawal":{"review_id":"r","number":1,"update_id":"u1","reason":{"en":"Wrong recommendation"}}}})"},
                  {R"({"agency":"police","actor":"p","resolve_risk":{"request_id":"k1","classification":"CLASSIFICATION_OFFICIAL_SENSITIVE","resolution":{"review_id":"r","risk_id":"k1","resolution":{"en":"Funding renewed"}}}})"},
                  {R"({"agency":"opcc","actor":"o","close_recommendation":{"request_id":"c1","classification":"CLASSIFICATION_OFFICIAL","closure":{"review_id":"r","number":1,"decided_by":"PCC","rationale":{"en":"Complete"}}}})",
                   R"({"agency":"opcc","actor":"o","reopen_recommendation":{"request_id":"o1","classification":"CLASSIFICATION_OFFICIAL","reopening":{"review_id":"r","number":1,"decided_by":"PCC","rationale":{"en":"New evidence"}}}})"},
                  {R"({"agency":"opcc","actor":"o","publish_report":{"request_id":"p1","classification":"CLASSIFICATION_OFFICIAL","report":{"review_id":"r","period":"2025-01","language":"REPORT_LANGUAGE_WELSH","format":"REPORT_FORMAT_HTML"}}})"},
                  {R"({"agency":"police","actor":"p","submit_progress_update":{"request_id":"u2","classification":"CLASSIFICATION_OFFICIAL","occurred_at":"2025-02-01T00:00:00Z","update":{"review_id":"r","number":1,"period":"2025-01","bullets":[{"text":{"en":"More training","cy":"Rhagor"},"sub_bullets":[{"en":"Three more"}]}]}}})",
                   R"({"agency":"opcc","actor":"o","assign_rating":{"request_id":"a2","classification":"CLASSIFICATION_OFFICIAL","rating":{"review_id":"r","number":2,"period":"2025-01","rating":"RATING_GREEN","rationale":{"en":"Done"}}}})"},
                  {R"({"agency":"opcc","actor":"o","register_agency":{"request_id":"g1","classification":"CLASSIFICATION_OFFICIAL","agency":{"agency_id":"ngo","name":{"en":"An NGO"},"kind":"AGENCY_KIND_PARTNER"}}})",
                   R"({"agency":"opcc","actor":"o","register_programme":{"request_id":"g2","classification":"CLASSIFICATION_OFFICIAL","programme":{"programme_id":"p2","name":{"en":"Second"},"owning_agency_id":"ngo","review_id":"r","related_recommendations":[1],"started_on":"2025-01-01"}}})", R"({"agency":"ngo","actor":"n","submit_partner_report":{"request_id":"g3","classification":"CLASSIFICATION_OFFICIAL","report":{"programme_id":"p2","quarter":"2025-Q1","figures":[{"key":"referrals","value":4,"label":{"en":"Referrals"}}],"narrative":[{"en":"Started"}]}}})"},
                  {R"({"agency":"opcc","actor":"o","open_reporting_period":{"request_id":"q2","classification":"CLASSIFICATION_OFFICIAL","period":{"review_id":"r","period":"2025-04","submissions_due_on":"2025-05-15"}}})",
                   R"({"agency":"opcc","actor":"o","record_conclusion":{"request_id":"q3","classification":"CLASSIFICATION_OFFICIAL","conclusion":{"review_id":"r","period":"2025-04","paragraphs":[{"en":"Steady"}]}}})",
                   R"({"agency":"opcc","actor":"o","close_reporting_period":{"request_id":"q4","classification":"CLASSIFICATION_OFFICIAL","period":{"review_id":"r","period":"2025-04"}}})"},
              };
  n = 0;
  for (const std::vector<std::string>& json : accepted) {
    std::vector<v1::ImportLine> lines;
    for (const std::string& j : json) lines.push_back(line(j));
    Write(dir, absl::StrFormat("accepted-%02d", n++), Sequence(false, lines));
  }
  // The example file's first commands, from an empty log.
  const std::vector<std::string> example_lines = CommandLines(example);
  for (size_t count : {size_t{12}, size_t{30}}) {
    std::vector<v1::ImportLine> lines;
    for (size_t i = 0; i < count && i < example_lines.size(); ++i) {
      lines.push_back(line(example_lines[i]));
    }
    Write(dir, absl::StrFormat("example-%03d", count), Sequence(true, lines));
  }
}

void PageTokens(const fs::path& dir) {
  const ::oversight::services::PageTokens tokens(fz::kPageTokenKey);
  v1::ListHistoryRequest history;
  history.set_review_id(fz::kPageTokenReview);
  const std::string digest =
      ::oversight::services::PageTokens::FilterDigest(history);
  int n = 0;
  for (const auto& [after, pinned] :
       {std::pair<uint64_t, uint64_t>{0, 0}, {17, 90}, {~uint64_t{0}, 5}}) {
    // Even first byte: a token to read.
    Write(dir, absl::StrFormat("token-%02d", n++),
          "\x00" + tokens.Issue({after, pinned}, digest));
  }
  // Odd first byte: a page, a change, and requests.
  v1::ListAccessLogRequest access;
  access.set_agency_id("police");
  access.set_page_size(20);
  history.set_number(1);
  history.add_event_types("oversight.v1.RatingAssigned");
  history.set_page_size(50);
  for (const std::string& request : {std::string(), history.SerializeAsString(),
                                     access.SerializeAsString()}) {
    std::string bytes = "\x01";
    es::PutFixed64BE(&bytes, 100 + n);
    es::PutFixed64BE(&bytes, 200 + n);
    bytes.push_back(static_cast<char>(n * 7));
    bytes.push_back('Z');
    Write(dir, absl::StrFormat("page-%02d", n++), bytes + request);
  }
}

void ReportTexts(const fs::path& dir) {
#define OVERSIGHT_BYTES(literal) std::string(literal, sizeof(literal) - 1)
  const std::vector<std::string> texts = {
      OVERSIGHT_BYTES("Training delivered\0Hyfforddiant wedi'i gyflwyno"),
      OVERSIGHT_BYTES(
          "<script>alert(1)</script>\0&amp; &#39; \"quoted\" 'single'"),
      OVERSIGHT_BYTES(
          "# Heading\n- item\n1. one\0| a | b |\n`code` *em* _u_ [l](x)"),
      OVERSIGHT_BYTES("\0\0   \0\t\n"),
      OVERSIGHT_BYTES("Gwasanaeth \xc5\xb5 \xc5\xb7 \xe2\x80\x94 \xe2\x80\x8b "
                      "zero width \xe2\x80\xae bidi"),
      OVERSIGHT_BYTES("http://example.org/<a>&b=1 -- +x =y 12) ~~s~~ \\ \\\\"),
  };
#undef OVERSIGHT_BYTES
  int n = 0;
  for (const std::string& t : texts) {
    Write(dir, absl::StrFormat("text-%02d", n++), t);
  }
}

void ImportTexts(const fs::path& dir, const std::string& example) {
  std::istringstream in(example);
  std::vector<std::string> all;
  std::string line;
  while (std::getline(in, line)) all.push_back(line);
  auto join = [&all](size_t from, size_t to, const char* sep) {
    std::vector<std::string> part(all.begin() + std::min(from, all.size()),
                                  all.begin() + std::min(to, all.size()));
    return absl::StrJoin(part, sep) + sep;
  };
  Write(dir, "example-head", join(0, 24, "\n"));
  Write(dir, "example-crlf-bom", "\xEF\xBB\xBF" + join(12, 20, "\r\n"));
  const std::vector<std::string> commands = CommandLines(example);
  for (size_t i = 0; i < commands.size(); i += 33) {
    Write(dir, absl::StrFormat("line-%03d", i), commands[i] + "\n");
  }
  Write(dir, "duplicate", commands[0] + "\n" + commands[0] + "\n");
  Write(dir, "not-json", "# a comment\n\n{\"agency\": \"opcc\", \"x\": 1}\n");
  Write(dir, "no-request-id",
        "{\"agency\": \"opcc\", \"register_agency\": {}}\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR EXAMPLE_JSONL\n", argv[0]);
    return 2;
  }
  const fs::path root = argv[1];
  std::ifstream in(argv[2], std::ios::binary);
  const std::string example((std::istreambuf_iterator<char>(in)),
                            std::istreambuf_iterator<char>());
  if (example.empty()) {
    std::fprintf(stderr, "cannot read %s\n", argv[2]);
    return 1;
  }
  Records(root / "record_format");
  Events(root / "fold_event");
  Commands(root / "command", example);
  PageTokens(root / "page_token");
  ReportTexts(root / "report");
  ImportTexts(root / "import_file", example);
  return 0;
}
