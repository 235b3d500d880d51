// Encoding and decoding of stored records; grammar in record_format.h and
// docs/storage-format.md.

#include "eventstore/record_format.h"

#include <openssl/evp.h>

#include <cstring>

#include "absl/strings/str_cat.h"
#include "eventstore/errors.h"

namespace oversight::eventstore {
namespace {

void PutVarint32(std::string* out, uint32_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// Reads a varint32 from the front of *in, advancing it.
bool GetVarint32(absl::string_view* in, uint32_t* v) {
  uint32_t result = 0;
  for (int shift = 0; shift <= 28 && !in->empty(); shift += 7) {
    uint8_t byte = static_cast<uint8_t>(in->front());
    in->remove_prefix(1);
    if (shift == 28 && (byte & 0xf0) != 0) return false;  // > 32 bits.
    result |= static_cast<uint32_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *v = result;
      return true;
    }
  }
  return false;
}

void PutLengthPrefixed(std::string* out, absl::string_view s) {
  PutVarint32(out, static_cast<uint32_t>(s.size()));
  out->append(s.data(), s.size());
}

bool GetLengthPrefixed(absl::string_view* in, absl::string_view* s) {
  uint32_t n;
  if (!GetVarint32(in, &n) || n > in->size()) return false;
  *s = in->substr(0, n);
  in->remove_prefix(n);
  return true;
}

absl::Status Corrupt(absl::string_view what) {
  return WithReason(absl::DataLossError(absl::StrCat("corrupt record: ", what)),
                    kReasonRecordCorrupt);
}

struct Parsed {
  absl::string_view stream, type, data, metadata;
};

absl::Status ParseVariable(absl::string_view rest, Parsed* p) {
  if (!GetLengthPrefixed(&rest, &p->stream) ||
      !GetLengthPrefixed(&rest, &p->type) ||
      !GetLengthPrefixed(&rest, &p->data) ||
      !GetLengthPrefixed(&rest, &p->metadata)) {
    return Corrupt("truncated variable-length field");
  }
  if (!rest.empty()) return Corrupt("trailing bytes");
  return absl::OkStatus();
}

}  // namespace

void PutFixed64BE(std::string* out, uint64_t v) {
  char buf[8];
  for (int i = 7; i >= 0; --i) {
    buf[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  out->append(buf, 8);
}

uint64_t GetFixed64BE(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

void EncodeRecord(const RecordedEvent& event, std::string* out) {
  out->reserve(out->size() + kRecordMinSize + 12 + event.stream.size() +
               event.type.size() + event.data.size() + event.metadata.size());
  out->push_back(static_cast<char>(kRecordVersion));
  PutFixed64BE(out, event.position);
  PutFixed64BE(out, event.revision);
  PutFixed64BE(out,
               static_cast<uint64_t>(absl::ToUnixMicros(event.recorded_at)));
  out->append(event.id.bytes().data(), event.id.bytes().size());
  PutLengthPrefixed(out, event.stream);
  PutLengthPrefixed(out, event.type);
  PutLengthPrefixed(out, event.data);
  PutLengthPrefixed(out, event.metadata);
}

absl::Status DecodeRecordInto(absl::string_view record, RecordedEvent* e) {
  if (record.size() < kRecordMinSize) return Corrupt("too short");
  if (static_cast<uint8_t>(record[0]) != kRecordVersion) {
    return Corrupt(
        absl::StrCat("unknown version ", static_cast<uint8_t>(record[0])));
  }
  const char* p = record.data() + 1;
  Parsed parsed;
  absl::Status s = ParseVariable(record.substr(kRecordFixedSize), &parsed);
  if (!s.ok()) return s;
  e->position = GetFixed64BE(p);
  e->revision = GetFixed64BE(p + 8);
  e->recorded_at =
      absl::FromUnixMicros(static_cast<int64_t>(GetFixed64BE(p + 16)));
  e->id = EventId::FromBytes(record.substr(1 + 24, 16));
  // assign() keeps the strings' buffers: a scan decoding into one event
  // allocates only when a field outgrows them.
  e->stream.assign(parsed.stream.data(), parsed.stream.size());
  e->type.assign(parsed.type.data(), parsed.type.size());
  e->data.assign(parsed.data.data(), parsed.data.size());
  e->metadata.assign(parsed.metadata.data(), parsed.metadata.size());
  return absl::OkStatus();
}

absl::StatusOr<RecordedEvent> DecodeRecord(absl::string_view record) {
  RecordedEvent e;
  if (absl::Status s = DecodeRecordInto(record, &e); !s.ok()) return s;
  return e;
}

absl::Status DecodeStoredValueInto(absl::string_view value, RecordedEvent* e) {
  if (value.size() < kHashSize) return Corrupt("value shorter than hash");
  if (absl::Status s = DecodeRecordInto(value.substr(kHashSize), e); !s.ok()) {
    return s;
  }
  std::memcpy(e->hash.data(), value.data(), kHashSize);
  return absl::OkStatus();
}

absl::StatusOr<RecordedEvent> DecodeStoredValue(absl::string_view value) {
  RecordedEvent e;
  if (absl::Status s = DecodeStoredValueInto(value, &e); !s.ok()) return s;
  return e;
}

absl::StatusOr<std::pair<absl::string_view, absl::string_view>>
PeekStreamAndType(absl::string_view record) {
  if (record.size() < kRecordMinSize) return Corrupt("too short");
  if (static_cast<uint8_t>(record[0]) != kRecordVersion) {
    return Corrupt(
        absl::StrCat("unknown version ", static_cast<uint8_t>(record[0])));
  }
  absl::string_view rest = record.substr(kRecordFixedSize);
  absl::string_view stream, type;
  if (!GetLengthPrefixed(&rest, &stream) || !GetLengthPrefixed(&rest, &type)) {
    return Corrupt("truncated variable-length field");
  }
  return std::make_pair(stream, type);
}

namespace {

// SHA-256 fetched from OpenSSL's default provider once, and one digest
// context per thread: fetching the algorithm and allocating a context for
// every record cost more than hashing a 1 KB record.
const EVP_MD* Sha256() {
  static const EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

struct DigestContext {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~DigestContext() { EVP_MD_CTX_free(ctx); }
};

}  // namespace

Hash ChainHash(const Hash& previous, absl::string_view record) {
  thread_local DigestContext context;
  Hash out;
  unsigned int len = 0;
  EVP_DigestInit_ex(context.ctx, Sha256(), nullptr);
  EVP_DigestUpdate(context.ctx, previous.data(), previous.size());
  EVP_DigestUpdate(context.ctx, record.data(), record.size());
  EVP_DigestFinal_ex(context.ctx, out.data(), &len);
  return out;
}

}  // namespace oversight::eventstore
