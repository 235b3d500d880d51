#include "services/query_support.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstring>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "eventstore/errors.h"
#include "eventstore/limits.h"
#include "eventstore/record_format.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "projections/domain_errors.h"

namespace oversight::services {

namespace es = ::oversight::eventstore;
namespace pj = ::oversight::projections;

namespace {

absl::Status Invalid(absl::string_view reason, absl::string_view message) {
  return es::WithReason(absl::InvalidArgumentError(message), reason);
}

std::string Mac(absl::string_view key, absl::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out,
       &size);
  return std::string(reinterpret_cast<const char*>(out), 16);
}

constexpr size_t kDigestBytes = 16;
constexpr size_t kTokenBytes = 8 + 8 + kDigestBytes + 16;

}  // namespace

absl::Status CheckTimestamp(absl::string_view field,
                            const google::protobuf::Timestamp& t) {
  if (t.seconds() >= -62135596800 && t.seconds() <= 253402300799 &&
      t.nanos() >= 0 && t.nanos() <= 999999999) {
    return absl::OkStatus();
  }
  return pj::InvalidArgument(
      pj::kReasonInvalidTimestamp,
      absl::StrCat(field, " is not a valid timestamp (seconds ", t.seconds(),
                   ", nanos ", t.nanos(),
                   "): it must lie in 0001-01-01 to 9999-12-31 with nanos "
                   "0 to 999,999,999"));
}

int64_t Micros(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000000 + t.nanos() / 1000;
}

absl::StatusOr<std::vector<pj::RecordedDomainEvent>> ReadStreams(
    es::EventLog* log, const std::vector<std::string>& streams,
    const pj::AsOfFilter& filter) {
  std::vector<pj::RecordedDomainEvent> out;
  for (const std::string& stream : streams) {
    es::Revision from = 0;
    bool done = false;
    while (!done) {
      absl::StatusOr<es::ReadResult> page = log->ReadStream(
          stream, from, es::Direction::kForwards, es::kMaxReadCount);
      if (!page.ok()) {
        if (absl::IsNotFound(page.status()) && from == 0) break;
        return page.status();
      }
      for (const es::RecordedEvent& e : page->events) {
        if (filter.position != 0 && e.position > filter.position) {
          done = true;  // a stream's positions only grow
          break;
        }
        std::optional<pj::RecordedDomainEvent> d = pj::ToDomainEvent(e);
        if (d.has_value()) out.push_back(*std::move(d));
      }
      if (page->end_reached || page->events.empty()) break;
      from = page->next;
    }
  }
  std::sort(
      out.begin(), out.end(),
      [](const pj::RecordedDomainEvent& a, const pj::RecordedDomainEvent& b) {
        return a.position < b.position;
      });
  return pj::SelectAsOf(std::move(out), filter);
}

absl::StatusOr<std::optional<pj::RecordedDomainEvent>> ReadAt(
    es::EventLog* log, uint64_t position) {
  absl::StatusOr<es::ReadResult> page =
      log->ReadAll(position, es::Direction::kForwards, 1, {});
  if (!page.ok()) return page.status();
  if (page->events.empty() || page->events[0].position != position) {
    return std::optional<pj::RecordedDomainEvent>();
  }
  return pj::ToDomainEvent(page->events[0]);
}

std::string PageTokens::Issue(const Page& page,
                              absl::string_view filter_digest) const {
  std::string raw;
  es::PutFixed64BE(&raw, page.after_position);
  es::PutFixed64BE(&raw, page.pinned_position);
  const absl::string_view digest = filter_digest.substr(0, kDigestBytes);
  raw.append(digest.data(), digest.size());
  raw.append(Mac(key_, raw));
  return absl::WebSafeBase64Escape(raw);
}

absl::StatusOr<PageTokens::Page> PageTokens::Read(
    absl::string_view token, absl::string_view filter_digest) const {
  std::string raw;
  const absl::Status invalid =
      Invalid(kReasonInvalidPageToken,
              "page_token was not issued by this server for this request");
  // Only the spelling Issue writes: the unescaping also takes white space
  // and padding, which would give one page many tokens.
  if (!absl::WebSafeBase64Unescape(token, &raw) || raw.size() != kTokenBytes ||
      absl::WebSafeBase64Escape(raw) != token) {
    return invalid;
  }
  const absl::string_view body = absl::string_view(raw).substr(0, 32);
  if (Mac(key_, body) != raw.substr(32) ||
      body.substr(16) != filter_digest.substr(0, kDigestBytes)) {
    return invalid;
  }
  Page page;
  page.after_position = es::GetFixed64BE(raw.data());
  page.pinned_position = es::GetFixed64BE(raw.data() + 8);
  return page;
}

std::string PageTokens::FilterDigest(const v1::ListHistoryRequest& request) {
  v1::ListHistoryRequest filters = request;
  filters.clear_page_token();
  filters.clear_page_size();
  filters.clear_min_position();
  std::string bytes;
  filters.SerializeToString(&bytes);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(digest), kDigestBytes);
}

std::string PageTokens::FilterDigest(const v1::ListAccessLogRequest& request) {
  v1::ListAccessLogRequest filters = request;
  filters.clear_page_token();
  filters.clear_page_size();
  filters.clear_min_position();
  std::string bytes = absl::StrCat(filters.GetDescriptor()->full_name(), "\n");
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    filters.SerializeToCodedStream(&coded);
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(digest), kDigestBytes);
}

}  // namespace oversight::services
