// Fuzzes the Panel report renderer (projections/report.h) with arbitrary
// text in every free-text field: the input, split at NUL bytes, is dealt
// in turn to the English and Welsh of every LocalizedText of the seed
// world's events (titles, bullets, rationales, findings, figures' labels,
// narrative, the conclusion, ...), as text the rules accept (valid UTF-8,
// no control characters but newline and tab; other bytes become '?').
// The report of review "r" for 2025-01 is rendered in both languages and
// both formats.
//
// Properties:
//  - it renders (the world has the review and the period);
//  - rendering is deterministic (the published seal depends on it);
//  - HTML: every '<' opens or closes a tag the renderer itself writes
//    (the names seen in the seed world's report), the tags are balanced,
//    and every '&' starts one of the entities the renderer writes: no text
//    can add markup, as report_html.cc promises (& < > " ' escaped);
//  - Markdown: no '<' or '>' is left unescaped, and a line break in text
//    never starts a new line: the report has as many lines as with each
//    text replaced by "x" (blank texts kept: they may leave an item out)
//    (report_markdown.cc: line breaks become spaces).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "oversight/v1/domain.pb.h"
#include "projections/report.h"
#include "projections/validation.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/seed_world.h"

namespace {

namespace pj = ::oversight::projections;
namespace v1 = ::oversight::v1;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// `text` as the rules would accept it, at most 1000 bytes.
std::string Acceptable(absl::string_view text) {
  text = text.substr(0, 1000);
  size_t chars = 0;
  bool control = false;
  if (pj::ScanUtf8(text, &chars, &control) && !control) {
    return std::string(text);
  }
  std::string out;
  for (char c : text) {
    const unsigned char u = static_cast<unsigned char>(c);
    out.push_back((u >= 0x20 && u < 0x7f) || c == '\n' || c == '\t' ? c : '?');
  }
  return out;
}

// Deals `pieces` in turn to every LocalizedText under `m`.
void Deal(const std::vector<std::string>& pieces, size_t* next, Message* m) {
  if (m->GetDescriptor() == v1::LocalizedText::descriptor()) {
    auto* text = static_cast<v1::LocalizedText*>(m);
    text->set_en(pieces[(*next)++ % pieces.size()]);
    text->set_cy(pieces[(*next)++ % pieces.size()]);
    return;
  }
  const google::protobuf::Reflection* r = m->GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(*m, &fields);
  for (const FieldDescriptor* f : fields) {
    if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (f->is_repeated()) {
      for (int i = 0; i < r->FieldSize(*m, f); ++i) {
        Deal(pieces, next, r->MutableRepeatedMessage(m, f, i));
      }
    } else {
      Deal(pieces, next, r->MutableMessage(m, f));
    }
  }
}

struct Tag {
  std::string name;
  bool closing = false;
};

// The tags of `html` in order; false when a '<' opens no tag (a name of
// letters, digits or '!' up to a space or '>').
bool Tags(const std::string& html, std::vector<Tag>* tags) {
  for (size_t at = html.find('<'); at != std::string::npos;
       at = html.find('<', at + 1)) {
    Tag tag;
    size_t i = at + 1;
    if (i < html.size() && html[i] == '/') {
      tag.closing = true;
      ++i;
    }
    while (i < html.size() &&
           (absl::ascii_isalnum(html[i]) || html[i] == '!')) {
      tag.name.push_back(absl::ascii_tolower(html[i]));
      ++i;
    }
    const size_t end = html.find('>', i);
    if (tag.name.empty() || end == std::string::npos ||
        (html[i] != '>' && html[i] != ' ') ||
        html.substr(i, end - i).find('<') != std::string::npos) {
      return false;
    }
    tags->push_back(tag);
  }
  return true;
}

// Whether the tags nest, void elements aside.
bool Balanced(const std::vector<Tag>& tags) {
  static const std::set<std::string> kVoid = {"!doctype", "meta", "link",
                                              "br",       "hr",   "img"};
  std::vector<std::string> open;
  for (const Tag& t : tags) {
    if (kVoid.count(t.name) != 0) continue;
    if (!t.closing) {
      open.push_back(t.name);
    } else {
      if (open.empty() || open.back() != t.name) return false;
      open.pop_back();
    }
  }
  return open.empty();
}

// The entities of `html` ("&amp;" gives "amp"); false for a '&' not
// followed by up to 10 characters and ';'.
bool Entities(const std::string& html, std::set<std::string>* out) {
  for (size_t at = html.find('&'); at != std::string::npos;
       at = html.find('&', at + 1)) {
    const size_t semi = html.find(';', at);
    if (semi == std::string::npos || semi - at > 10) return false;
    const std::string name = html.substr(at + 1, semi - at - 1);
    for (char c : name) {
      if (!absl::ascii_isalnum(c) && c != '#') return false;
    }
    out->insert(name);
  }
  return true;
}

// How many of `c` in `md` are not escaped by an odd run of backslashes.
int Unescaped(const std::string& md, char c) {
  int n = 0;
  for (size_t i = 0; i < md.size(); ++i) {
    if (md[i] != c) continue;
    size_t slashes = 0;
    while (slashes < i && md[i - 1 - slashes] == '\\') ++slashes;
    if (slashes % 2 == 0) ++n;
  }
  return n;
}

pj::ReportRequest Request(pj::ReportLanguage language,
                          pj::ReportFormat format) {
  pj::ReportRequest request;
  request.review_id = "r";
  request.period = "2025-01";
  request.language = language;
  request.format = format;
  request.position = 42;
  return request;
}

constexpr pj::ReportLanguage kLanguages[] = {pj::ReportLanguage::kEnglish,
                                             pj::ReportLanguage::kWelsh};

// What the seed world's own report shows: the tag names and the entities.
struct Baseline {
  std::set<std::string> tags;
  std::set<std::string> entities;
};

size_t Lines(const std::string& text) {
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

std::vector<pj::RecordedDomainEvent> WithText(
    const std::vector<std::string>& pieces) {
  std::vector<pj::RecordedDomainEvent> events =
      oversight::fuzz::SeedWorld().log;
  size_t next = 0;
  for (pj::RecordedDomainEvent& e : events) Deal(pieces, &next, &e.event);
  return events;
}

const Baseline& GetBaseline() {
  static const Baseline* const baseline = [] {
    auto* b = new Baseline;
    // One-word texts, as many as the fuzzed ones.
    const std::vector<pj::RecordedDomainEvent> events =
        WithText({"Text", "Testun"});
    for (int l = 0; l < 2; ++l) {
      absl::StatusOr<std::string> html = pj::RenderReport(
          events, Request(kLanguages[l], pj::ReportFormat::kHtml));
      FUZZ_CHECK(html.ok());
      std::vector<Tag> tags;
      FUZZ_CHECK(Tags(*html, &tags));
      FUZZ_CHECK(Balanced(tags));
      for (const Tag& t : tags) b->tags.insert(t.name);
      FUZZ_CHECK(Entities(*html, &b->entities));
      absl::StatusOr<std::string> md = pj::RenderReport(
          events, Request(kLanguages[l], pj::ReportFormat::kMarkdown));
      FUZZ_CHECK(md.ok());
      FUZZ_CHECK(Unescaped(*md, '<') == 0 && Unescaped(*md, '>') == 0);
    }
    return b;
  }();
  return *baseline;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Baseline& baseline = GetBaseline();
  if (size > 20000) return 0;
  std::vector<std::string> pieces;
  for (absl::string_view piece : absl::StrSplit(
           absl::string_view(reinterpret_cast<const char*>(data), size),
           '\0')) {
    pieces.push_back(Acceptable(piece));
  }
  const std::vector<pj::RecordedDomainEvent> events = WithText(pieces);
  std::vector<std::string> shapes;
  for (const std::string& piece : pieces) {
    shapes.push_back(absl::StripAsciiWhitespace(piece).empty() ? piece : "x");
  }
  const std::vector<pj::RecordedDomainEvent> shaped = WithText(shapes);

  for (int l = 0; l < 2; ++l) {
    const pj::ReportRequest html_request =
        Request(kLanguages[l], pj::ReportFormat::kHtml);
    absl::StatusOr<std::string> html = pj::RenderReport(events, html_request);
    FUZZ_CHECK(html.ok());
    absl::StatusOr<std::string> again = pj::RenderReport(events, html_request);
    FUZZ_CHECK(again.ok() && *again == *html);
    std::vector<Tag> tags;
    FUZZ_CHECK(Tags(*html, &tags));
    for (const Tag& t : tags) FUZZ_CHECK(baseline.tags.count(t.name) != 0);
    FUZZ_CHECK(Balanced(tags));
    std::set<std::string> entities;
    FUZZ_CHECK(Entities(*html, &entities));
    for (const std::string& e : entities) {
      FUZZ_CHECK(baseline.entities.count(e) != 0 || e == "amp" || e == "lt" ||
                 e == "gt" || e == "quot" || e == "#39");
    }

    const pj::ReportRequest md_request =
        Request(kLanguages[l], pj::ReportFormat::kMarkdown);
    absl::StatusOr<std::string> md = pj::RenderReport(events, md_request);
    FUZZ_CHECK(md.ok());
    absl::StatusOr<std::string> md_again = pj::RenderReport(events, md_request);
    FUZZ_CHECK(md_again.ok() && *md_again == *md);
    FUZZ_CHECK(Unescaped(*md, '<') == 0);
    FUZZ_CHECK(Unescaped(*md, '>') == 0);
    absl::StatusOr<std::string> md_shape = pj::RenderReport(shaped, md_request);
    FUZZ_CHECK(md_shape.ok());
    FUZZ_CHECK(Lines(*md) == Lines(*md_shape));
  }
  return 0;
}
