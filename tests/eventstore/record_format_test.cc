// Tests of the stored record format (eventstore/record_format.h): encoding,
// decoding, corruption detection and the chain hash.

#include "eventstore/record_format.h"

#include <openssl/sha.h>

#include <string>

#include "absl/strings/escaping.h"
#include "absl/time/time.h"
#include "eventstore/errors.h"
#include "eventstore/rocks_layout.h"
#include "eventstore/types.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/eventstore/test_util.h"

namespace oversight::eventstore {
namespace {

using test::IsError;

class RecordFormatTest : public ::testing::Test {
 protected:
  static RecordedEvent SampleEvent() {
    RecordedEvent e;
    e.position = 0x0102030405060708;
    e.stream = "recommendation-7";
    e.revision = 42;
    e.id = *EventId::Parse("0f1e2d3c-4b5a-4697-8877-665544332211");
    e.type = "oversight.v1.RatingAssigned";
    e.data = std::string("\0binary\xff data", 13);
    e.metadata = "{\"actor\":\"alice\"}";
    e.recorded_at = absl::FromUnixMicros(1700000000123456);
    return e;
  }

  static std::string Encode(const RecordedEvent& e) {
    std::string out;
    EncodeRecord(e, &out);
    return out;
  }

  // The fixed part of a record (version, position, revision, time, id).
  static std::string FixedPart() {
    return Encode(SampleEvent()).substr(0, kRecordFixedSize);
  }

  static absl::Status DecodeStatus(absl::string_view record) {
    return DecodeRecord(record).status();
  }

  static std::string Hex(const Hash& h) { return HashToHex(h); }

  // SHA-256(previous || record), computed with OpenSSL's one-shot API.
  static Hash ReferenceChainHash(const Hash& previous,
                                 absl::string_view record) {
    std::string input(reinterpret_cast<const char*>(previous.data()),
                      previous.size());
    input.append(record.data(), record.size());
    Hash out;
    SHA256(reinterpret_cast<const unsigned char*>(input.data()), input.size(),
           out.data());
    return out;
  }
};

TEST_F(RecordFormatTest, DecodeReturnsEveryEncodedField) {
  const RecordedEvent in = SampleEvent();
  absl::StatusOr<RecordedEvent> out = DecodeRecord(Encode(in));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->position, in.position);
  EXPECT_EQ(out->stream, in.stream);
  EXPECT_EQ(out->revision, in.revision);
  EXPECT_EQ(out->id, in.id);
  EXPECT_EQ(out->type, in.type);
  EXPECT_EQ(out->data, in.data);
  EXPECT_EQ(out->metadata, in.metadata);
  EXPECT_EQ(out->recorded_at, in.recorded_at);
}

TEST_F(RecordFormatTest, RoundTripsEmptyAndLargeFields) {
  RecordedEvent in = SampleEvent();
  in.data = "";
  in.metadata = std::string(300000, 'm');  // Three-byte varint length.
  absl::StatusOr<RecordedEvent> out = DecodeRecord(Encode(in));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->data, "");
  EXPECT_EQ(out->metadata, in.metadata);
}

TEST_F(RecordFormatTest, EncodesFieldsInDocumentedOrder) {
  RecordedEvent e;
  e.position = 1;
  e.revision = 2;
  e.recorded_at = absl::FromUnixMicros(3);
  e.id = *EventId::Parse("00000000-0000-4000-8000-000000000004");
  e.stream = "s";
  e.type = "t";
  e.data = "dd";
  e.metadata = "";
  const std::string expected = absl::HexStringToBytes(
      "01"                                // version
      "0000000000000001"                  // position
      "0000000000000002"                  // revision
      "0000000000000003"                  // recorded_at_us
      "00000000000040008000000000000004"  // event id
      "0173"                              // "s"
      "0174"                              // "t"
      "026464"                            // "dd"
      "00");                              // ""
  EXPECT_EQ(absl::BytesToHexString(Encode(e)),
            absl::BytesToHexString(expected));
}

TEST_F(RecordFormatTest, EveryTruncationIsRecordCorrupt) {
  const std::string record = Encode(SampleEvent());
  for (size_t n = 0; n < record.size(); ++n) {
    EXPECT_THAT(DecodeStatus(record.substr(0, n)),
                IsError(absl::StatusCode::kDataLoss, kReasonRecordCorrupt))
        << "truncated to " << n << " bytes";
  }
}

TEST_F(RecordFormatTest, TrailingBytesAreRecordCorrupt) {
  EXPECT_THAT(DecodeStatus(Encode(SampleEvent()) + "x"),
              IsError(absl::StatusCode::kDataLoss, kReasonRecordCorrupt));
}

TEST_F(RecordFormatTest, UnknownVersionIsRecordCorrupt) {
  std::string record = Encode(SampleEvent());
  record[0] = 2;
  EXPECT_THAT(DecodeStatus(record),
              IsError(absl::StatusCode::kDataLoss, kReasonRecordCorrupt));
}

TEST_F(RecordFormatTest, VarintLongerThanFiveBytesIsRecordCorrupt) {
  // Continuation bits on five bytes: the length would need a sixth byte.
  const std::string record = FixedPart() +
                             std::string("\x80\x80\x80\x80\x80\x00", 6) +
                             std::string("\x00\x00\x00", 3);
  EXPECT_THAT(DecodeStatus(record),
              IsError(absl::StatusCode::kDataLoss, kReasonRecordCorrupt));
}

TEST_F(RecordFormatTest, VarintOverThirtyTwoBitsIsRecordCorrupt) {
  // 0x80 0x80 0x80 0x80 0x10 encodes 2^32: zero if cut to 32 bits, which
  // would make this an otherwise valid record with four empty fields.
  const std::string record =
      FixedPart() + "\x80\x80\x80\x80\x10" + std::string("\x00\x00\x00", 3);
  EXPECT_THAT(DecodeStatus(record),
              IsError(absl::StatusCode::kDataLoss, kReasonRecordCorrupt));
}

TEST_F(RecordFormatTest, LengthPastEndOfRecordIsRecordCorrupt) {
  const std::string record = FixedPart() + std::string("\x05s\x00\x00\x00", 5);
  EXPECT_THAT(DecodeStatus(record),
              IsError(absl::StatusCode::kDataLoss, kReasonRecordCorrupt));
}

TEST_F(RecordFormatTest, DecodeStoredValueTakesHashFromTheFront) {
  Hash hash;
  for (size_t i = 0; i < hash.size(); ++i) hash[i] = static_cast<uint8_t>(i);
  const std::string value =
      std::string(reinterpret_cast<const char*>(hash.data()), hash.size()) +
      Encode(SampleEvent());
  absl::StatusOr<RecordedEvent> e = DecodeStoredValue(value);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->hash, hash);
  EXPECT_EQ(e->stream, "recommendation-7");
}

TEST_F(RecordFormatTest, StoredValueShorterThanHashIsRecordCorrupt) {
  EXPECT_THAT(DecodeStoredValue(std::string(31, 'h')).status(),
              IsError(absl::StatusCode::kDataLoss, kReasonRecordCorrupt));
}

TEST_F(RecordFormatTest, PeekReturnsStreamAndType) {
  // The views point into the record, which must outlive them.
  const std::string record = Encode(SampleEvent());
  auto peek = PeekStreamAndType(record);
  ASSERT_TRUE(peek.ok()) << peek.status();
  EXPECT_EQ(peek->first, "recommendation-7");
  EXPECT_EQ(peek->second, "oversight.v1.RatingAssigned");
}

TEST_F(RecordFormatTest, PeekOfTruncatedRecordIsRecordCorrupt) {
  const std::string record = Encode(SampleEvent());
  EXPECT_THAT(
      PeekStreamAndType(record.substr(0, kRecordFixedSize + 3)).status(),
      IsError(absl::StatusCode::kDataLoss, kReasonRecordCorrupt));
}

TEST_F(RecordFormatTest, PeekOfUnknownVersionIsRecordCorrupt) {
  std::string record = Encode(SampleEvent());
  record[0] = 9;
  EXPECT_THAT(PeekStreamAndType(record).status(),
              IsError(absl::StatusCode::kDataLoss, kReasonRecordCorrupt));
}

TEST_F(RecordFormatTest, ChainHashOfGenesisAndAbcMatchesKnownVector) {
  // sha256sum of 32 zero bytes followed by "abc", computed independently.
  EXPECT_EQ(Hex(ChainHash(kGenesisHash, "abc")),
            "365aa7d8f7f9402c4b9434502b4cc89ddb09fe50d7cd95b493b834c62d5a5370");
}

TEST_F(RecordFormatTest, ChainHashOfGenesisAndEmptyRecordMatchesKnownVector) {
  // SHA-256 of 32 zero bytes.
  EXPECT_EQ(Hex(ChainHash(kGenesisHash, "")),
            "66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925");
}

TEST_F(RecordFormatTest, ChainHashIsSha256OfPreviousThenRecord) {
  const std::string record = Encode(SampleEvent());
  const Hash first = ChainHash(kGenesisHash, record);
  EXPECT_EQ(Hex(first), Hex(ReferenceChainHash(kGenesisHash, record)));
  EXPECT_EQ(Hex(ChainHash(first, record)),
            Hex(ReferenceChainHash(first, record)));
}

TEST_F(RecordFormatTest, ChainHashDependsOnPreviousHash) {
  Hash other = kGenesisHash;
  other[31] = 1;
  EXPECT_NE(ChainHash(kGenesisHash, "abc"), ChainHash(other, "abc"));
}

TEST_F(RecordFormatTest, Fixed64IsBigEndian) {
  std::string out;
  PutFixed64BE(&out, 0x0102030405060708);
  EXPECT_EQ(absl::BytesToHexString(out), "0102030405060708");
  EXPECT_EQ(GetFixed64BE(out.data()), 0x0102030405060708u);
}

TEST_F(RecordFormatTest, LogKeysSortInPositionOrder) {
  EXPECT_LT(LogKey(255), LogKey(256));
  EXPECT_LT(LogKey(1), LogKey(uint64_t{1} << 40));
}

TEST_F(RecordFormatTest, StreamIndexKeysOfOneStreamShareItsPrefix) {
  const std::string key = StreamIndexKey("ab", 7);
  EXPECT_EQ(key.substr(0, 3), std::string("ab\0", 3));
  EXPECT_EQ(GetFixed64BE(key.data() + 3), 7u);
}

}  // namespace
}  // namespace oversight::eventstore
