// DecodeFoldEvent: what it takes from a serialized DomainEvent equals what
// protobuf parses, payload by payload; it refuses what protobuf refuses
// for its framing (every truncation of every payload), and skips what the
// fold does not use.

#include "projections/fold_event.h"

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "gtest/gtest.h"
#include "oversight/v1/domain.pb.h"

namespace oversight::projections {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::IsEmpty;

v1::LocalizedText Text(const std::string& en, const std::string& cy = "") {
  v1::LocalizedText t;
  t.set_en(en);
  t.set_cy(cy);
  return t;
}

// An event with the envelope every test shares and fields the fold does
// not use (a request id, bullets) beside the payload.
v1::DomainEvent Envelope() {
  v1::DomainEvent e;
  e.mutable_occurred_at()->set_seconds(1719792000);
  e.mutable_occurred_at()->set_nanos(123456789);
  e.set_classification(v1::CLASSIFICATION_OFFICIAL_SENSITIVE);
  e.mutable_actor()->set_agency_id("dyfed-powys-police");
  e.mutable_actor()->set_person("Chief Superintendent Ceri Jones");
  e.mutable_actor()->set_recorded_by_agency_id("opcc");
  e.set_request_id("req-1");
  e.set_request_sha256(std::string(32, '\x7f'));
  return e;
}

std::vector<std::string> Strings(const std::vector<absl::string_view>& v) {
  return std::vector<std::string>(v.begin(), v.end());
}

FoldEvent Decode(const std::string& bytes) {
  FoldEvent e;
  EXPECT_TRUE(DecodeFoldEvent(bytes, &e));
  return e;
}

TEST(FoldEventTest, EnvelopeIsDecoded) {
  v1::DomainEvent d = Envelope();
  d.mutable_report_published()->set_review_id("stalking-2024");
  const std::string bytes = d.SerializeAsString();
  const FoldEvent e = Decode(bytes);
  EXPECT_EQ(e.payload_case, v1::DomainEvent::kReportPublished);
  EXPECT_EQ(e.occurred_seconds, 1719792000);
  EXPECT_EQ(e.occurred_nanos, 123456789);
  EXPECT_EQ(e.occurred_micros(), int64_t{1719792000} * 1000000 + 123456);
  EXPECT_EQ(e.classification, v1::CLASSIFICATION_OFFICIAL_SENSITIVE);
  EXPECT_FALSE(e.official());
  EXPECT_EQ(e.actor_agency_id, "dyfed-powys-police");
  EXPECT_EQ(e.actor_person, "Chief Superintendent Ceri Jones");
  EXPECT_EQ(e.review_id, "stalking-2024");
}

TEST(FoldEventTest, EachPayloadGivesTheFieldsTheFoldUses) {
  {
    v1::DomainEvent d = Envelope();
    auto* o = d.mutable_agency_registered();
    o->set_agency_id("paladin");
    *o->mutable_name() = Text("Paladin", "Paladin (cy)");
    o->set_kind(v1::AGENCY_KIND_PARTNER);
    const std::string bytes = d.SerializeAsString();
    const FoldEvent e = Decode(bytes);
    EXPECT_EQ(e.payload_case, v1::DomainEvent::kAgencyRegistered);
    EXPECT_EQ(e.agency_id, "paladin");
    EXPECT_EQ(e.kind, v1::AGENCY_KIND_PARTNER);
    EXPECT_THAT(Strings(e.text), ElementsAre(o->name().SerializeAsString()));
  }
  {
    v1::DomainEvent d = Envelope();
    auto* o = d.mutable_review_opened();
    o->set_review_id("r1");
    *o->mutable_title() = Text("Stalking review", "Adolygiad");
    *o->mutable_question() = Text("How well?");
    o->set_commissioning_agency_id("opcc");
    o->set_opened_on("2024-01-15");
    for (const char* id : {"theme-a", "theme-b"}) {
      v1::Theme* t = o->add_themes();
      t->set_id(id);
      *t->mutable_name() = Text(std::string("Name of ") + id);
    }
    const std::string bytes = d.SerializeAsString();
    const FoldEvent e = Decode(bytes);
    EXPECT_EQ(e.review_id, "r1");
    EXPECT_THAT(Strings(e.text), ElementsAre(o->title().SerializeAsString()));
    EXPECT_EQ(e.owning_agency_id, "opcc");
    EXPECT_THAT(Strings(e.theme_ids), ElementsAre("theme-a", "theme-b"));
  }
  {
    v1::DomainEvent d = Envelope();
    auto* o = d.mutable_recommendation_issued();
    o->set_review_id("r1");
    o->set_number(7);
    o->set_theme_id("theme-a");
    *o->mutable_text() = Text("The force should...", "Dylai'r heddlu...");
    o->set_text_not_in_source(true);
    o->set_owning_agency_id("dyfed-powys-police");
    o->add_contributing_agency_ids("paladin");
    o->add_contributing_agency_ids("opcc");
    const std::string bytes = d.SerializeAsString();
    const FoldEvent e = Decode(bytes);
    EXPECT_EQ(e.review_id, "r1");
    EXPECT_EQ(e.number, 7);
    EXPECT_EQ(e.theme_id, "theme-a");
    EXPECT_THAT(Strings(e.text), ElementsAre(o->text().SerializeAsString()));
    EXPECT_TRUE(e.text_not_in_source);
    EXPECT_EQ(e.owning_agency_id, "dyfed-powys-police");
    EXPECT_THAT(Strings(e.agency_ids), ElementsAre("paladin", "opcc"));
  }
  {
    v1::DomainEvent d = Envelope();
    auto* o = d.mutable_reporting_period_opened();
    o->set_review_id("r1");
    o->set_period("2024-06");
    o->set_submissions_due_on("2024-07-31");
    const std::string bytes = d.SerializeAsString();
    const FoldEvent e = Decode(bytes);
    EXPECT_EQ(e.period, "2024-06");
    EXPECT_EQ(e.date, "2024-07-31");
  }
  {
    v1::DomainEvent d = Envelope();
    d.mutable_reporting_period_closed()->set_review_id("r1");
    d.mutable_reporting_period_closed()->set_period("2024-06");
    const std::string bytes = d.SerializeAsString();
    const FoldEvent e = Decode(bytes);
    EXPECT_EQ(e.review_id, "r1");
    EXPECT_EQ(e.period, "2024-06");
  }
  {
    v1::DomainEvent d = Envelope();
    auto* o = d.mutable_progress_update_submitted();
    o->set_review_id("r1");
    o->set_number(3);
    o->set_update_id("u-42");
    o->set_period("2024-06");
    o->set_agency_id("dyfed-powys-police");
    *o->add_bullets()->mutable_text() = Text("A bullet the fold skips");
    o->add_evidence()->set_url("https://example.org/");
    const std::string bytes = d.SerializeAsString();
    const FoldEvent e = Decode(bytes);
    EXPECT_EQ(e.payload_case, v1::DomainEvent::kProgressUpdateSubmitted);
    EXPECT_EQ(e.review_id, "r1");
    EXPECT_EQ(e.number, 3);
    EXPECT_EQ(e.update_id, "u-42");
    EXPECT_EQ(e.period, "2024-06");
    EXPECT_TRUE(e.text.empty());
  }
  {
    v1::DomainEvent d = Envelope();
    auto* o = d.mutable_progress_update_corrected();
    o->set_review_id("r1");
    o->set_number(3);
    o->set_update_id("u-42");
    *o->mutable_reason() = Text("typo");
    const std::string bytes = d.SerializeAsString();
    const FoldEvent e = Decode(bytes);
    EXPECT_EQ(e.update_id, "u-42");
    EXPECT_EQ(e.number, 3);
  }
  {
    v1::DomainEvent d = Envelope();
    auto* o = d.mutable_progress_update_withdrawn();
    o->set_review_id("r1");
    o->set_number(3);
    o->set_update_id("u-43");
    const std::string bytes = d.SerializeAsString();
    EXPECT_EQ(Decode(bytes).update_id, "u-43");
  }
  {
    v1::DomainEvent d = Envelope();
    auto* o = d.mutable_rating_assigned();
    o->set_review_id("r1");
    o->set_number(3);
    o->set_period("2024-06");
    o->set_rating(v1::RATING_AMBER);
    *o->mutable_rationale() = Text("Some progress");
    const std::string bytes = d.SerializeAsString();
    const FoldEvent e = Decode(bytes);
    EXPECT_EQ(e.period, "2024-06");
    EXPECT_EQ(e.kind, v1::RATING_AMBER);
  }
  {
    v1::DomainEvent d = Envelope();
    auto* o = d.mutable_monitoring_activity_recorded();
    o->set_review_id("r1");
    o->set_number(3);
    o->set_activity_id("a-1");
    o->set_period("2024-06");
    *o->mutable_description() = Text("Observe the clinic");
    o->set_due_on("2024-09-30");
    const std::string bytes = d.SerializeAsString();
    const FoldEvent e = Decode(bytes);
    EXPECT_EQ(e.activity_id, "a-1");
    EXPECT_EQ(e.period, "2024-06");
    EXPECT_EQ(e.date, "2024-09-30");
    EXPECT_THAT(Strings(e.text),
                ElementsAre(o->description().SerializeAsString()));
  }
  {
    v1::DomainEvent d = Envelope();
    auto* o = d.mutable_monitoring_activity_completed();
    o->set_review_id("r1");
    o->set_number(3);
    o->set_activity_id("a-1");
    *o->mutable_outcome() = Text("Done");
    const std::string bytes = d.SerializeAsString();
    EXPECT_EQ(Decode(bytes).activity_id, "a-1");
  }
  {
    v1::DomainEvent d = Envelope();
    auto* o = d.mutable_meeting_observed();
    o->set_review_id("r1");
    o->set_meeting_id("m-1");
    o->set_kind(v1::MEETING_KIND_STALKING_CLINIC);
    o->add_attending_agency_ids("opcc");
    o->add_attending_agency_ids("paladin");
    *o->add_findings() = Text("Finding");
    for (int n : {2, 5, 300}) o->add_related_recommendations(n);
    const std::string bytes = d.SerializeAsString();
    const FoldEvent e = Decode(bytes);
    EXPECT_EQ(e.review_id, "r1");
    EXPECT_THAT(Strings(e.agency_ids), ElementsAre("opcc", "paladin"));
    EXPECT_THAT(e.related_recommendations, ElementsAre(2, 5, 300));
  }
  {
    v1::DomainEvent d = Envelope();
    auto* o = d.mutable_risk_raised();
    o->set_review_id("r1");
    o->set_risk_id("risk-1");
    o->set_category(v1::RISK_CATEGORY_FUNDING);
    *o->mutable_description() = Text("Funding ends");
    o->add_related_recommendations(4);
    const std::string bytes = d.SerializeAsString();
    const FoldEvent e = Decode(bytes);
    EXPECT_EQ(e.risk_id, "risk-1");
    EXPECT_EQ(e.kind, v1::RISK_CATEGORY_FUNDING);
    EXPECT_THAT(Strings(e.text),
                ElementsAre(o->description().SerializeAsString()));
    EXPECT_THAT(e.related_recommendations, ElementsAre(4));
  }
  {
    v1::DomainEvent d = Envelope();
    d.mutable_risk_resolved()->set_review_id("r1");
    d.mutable_risk_resolved()->set_risk_id("risk-1");
    const std::string bytes = d.SerializeAsString();
    const FoldEvent e = Decode(bytes);
    EXPECT_EQ(e.review_id, "r1");
    EXPECT_EQ(e.risk_id, "risk-1");
  }
  {
    v1::DomainEvent d = Envelope();
    auto* o = d.mutable_programme_registered();
    o->set_programme_id("isva");
    *o->mutable_name() = Text("ISVA service");
    o->set_owning_agency_id("paladin");
    o->set_review_id("r1");
    o->add_related_recommendations(1);
    o->add_related_recommendations(9);
    o->set_started_on("2024-04-01");
    const std::string bytes = d.SerializeAsString();
    const FoldEvent e = Decode(bytes);
    EXPECT_EQ(e.programme_id, "isva");
    EXPECT_THAT(Strings(e.text), ElementsAre(o->name().SerializeAsString()));
    EXPECT_EQ(e.owning_agency_id, "paladin");
    EXPECT_EQ(e.review_id, "r1");
    EXPECT_THAT(e.related_recommendations, ElementsAre(1, 9));
    EXPECT_EQ(e.date, "2024-04-01");
  }
  {
    v1::DomainEvent d = Envelope();
    auto* o = d.mutable_partner_report_submitted();
    o->set_programme_id("isva");
    o->set_report_id("q2");
    o->set_quarter("2024-Q2");
    v1::Figure* f = o->add_figures();
    f->set_key("referrals");
    f->set_value(41);
    *f->mutable_label() = Text("Referrals", "Atgyfeiriadau");
    o->add_figures()->set_key("cases_open");
    *o->add_narrative() = Text("First", "Cyntaf");
    *o->add_narrative() = Text("Second");
    const std::string bytes = d.SerializeAsString();
    const FoldEvent e = Decode(bytes);
    EXPECT_EQ(e.programme_id, "isva");
    EXPECT_EQ(e.report_id, "q2");
    EXPECT_EQ(e.period, "2024-Q2");
    ASSERT_EQ(e.figures.size(), 2u);
    EXPECT_EQ(e.figures[0], o->figures(0).SerializeAsString());
    EXPECT_EQ(e.figures[1], o->figures(1).SerializeAsString());
    ASSERT_EQ(e.narrative.size(), 2u);
    EXPECT_EQ(e.narrative[1], o->narrative(1).SerializeAsString());
  }
  {
    v1::DomainEvent d = Envelope();
    auto* o = d.mutable_cross_reference_recorded();
    o->set_review_id("r1");
    o->set_number(2);
    o->set_reference_id("x-1");
    o->set_kind(v1::CROSS_REFERENCE_KIND_RECOMMENDATION);
    o->set_related_recommendation(6);
    const std::string bytes = d.SerializeAsString();
    const FoldEvent e = Decode(bytes);
    EXPECT_EQ(e.number, 2);
    EXPECT_EQ(e.related_recommendation, 6);
  }
  for (bool closed : {true, false}) {
    v1::DomainEvent d = Envelope();
    if (closed) {
      d.mutable_recommendation_closed()->set_review_id("r1");
      d.mutable_recommendation_closed()->set_number(8);
    } else {
      d.mutable_recommendation_reopened()->set_review_id("r1");
      d.mutable_recommendation_reopened()->set_number(8);
    }
    const std::string bytes = d.SerializeAsString();
    const FoldEvent e = Decode(bytes);
    EXPECT_EQ(e.payload_case, closed
                                  ? v1::DomainEvent::kRecommendationClosed
                                  : v1::DomainEvent::kRecommendationReopened);
    EXPECT_EQ(e.number, 8);
  }
  {
    v1::DomainEvent d = Envelope();
    d.mutable_conclusion_recorded()->set_review_id("r2");
    *d.mutable_conclusion_recorded()->add_paragraphs() = Text("In all...");
    const std::string bytes = d.SerializeAsString();
    EXPECT_EQ(Decode(bytes).review_id, "r2");
  }
  {
    v1::DomainEvent d = Envelope();
    d.mutable_access_recorded()->set_method("ListHistory");
    const std::string bytes = d.SerializeAsString();
    EXPECT_EQ(Decode(bytes).payload_case, v1::DomainEvent::kAccessRecorded);
  }
}

// Every payload the fold reads, with its skipped text, for the framing
// tests below.
std::vector<std::string> SampleEvents() {
  std::vector<std::string> out;
  v1::DomainEvent d = Envelope();
  auto* u = d.mutable_progress_update_submitted();
  u->set_review_id("r1");
  u->set_number(300);
  u->set_update_id("u-1");
  u->set_period("2024-06");
  v1::Bullet* b = u->add_bullets();
  *b->mutable_text() = Text("Text \xE2\x80\x94 with a dash", "Testun");
  *b->add_sub_bullets() = Text("Sub");
  out.push_back(d.SerializeAsString());
  d = Envelope();
  auto* m = d.mutable_meeting_observed();
  m->set_review_id("r1");
  m->add_attending_agency_ids("opcc");
  for (int n : {1, 200, 9999}) m->add_related_recommendations(n);
  out.push_back(d.SerializeAsString());
  d = Envelope();
  auto* p = d.mutable_partner_report_submitted();
  p->set_programme_id("isva");
  p->add_figures()->set_value(-5);
  *p->add_narrative() = Text("N");
  out.push_back(d.SerializeAsString());
  return out;
}

TEST(FoldEventTest, EveryTruncationIsRefusedWhereProtobufRefusesIt) {
  for (const std::string& full : SampleEvents()) {
    for (size_t n = 0; n < full.size(); ++n) {
      const std::string prefix = full.substr(0, n);
      v1::DomainEvent parsed;
      const bool protobuf_ok = parsed.ParseFromString(prefix);
      FoldEvent e;
      EXPECT_EQ(DecodeFoldEvent(prefix, &e), protobuf_ok)
          << "cut at " << n << " of " << full.size();
    }
  }
}

// Writes a field's tag.
void Tag(google::protobuf::io::CodedOutputStream* out, int number, int type) {
  out->WriteTag(static_cast<uint32_t>(number << 3 | type));
}

std::string Encode(
    const std::function<void(google::protobuf::io::CodedOutputStream*)>& f) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream out(&stream);
    f(&out);
  }
  return bytes;
}

TEST(FoldEventTest, AFieldOfTheWrongWireTypeIsLeftAsProtobufLeavesIt) {
  // RiskResolved with its review id as a varint, then its risk id: protobuf
  // keeps the first among the unknown fields and parses the event.
  const std::string payload = Encode([](auto* out) {
    Tag(out, v1::RiskResolved::kReviewIdFieldNumber, 0);
    out->WriteVarint32(5);
    Tag(out, v1::RiskResolved::kRiskIdFieldNumber, 2);
    out->WriteVarint32(2);
    out->WriteString("r7");
  });
  const std::string bytes = Encode([&](auto* out) {
    Tag(out, v1::DomainEvent::kRiskResolvedFieldNumber, 2);
    out->WriteVarint32(static_cast<uint32_t>(payload.size()));
    out->WriteString(payload);
    // A payload field as a varint: unknown too, not a payload.
    Tag(out, v1::DomainEvent::kRiskRaisedFieldNumber, 0);
    out->WriteVarint32(1);
    // The classification as a length-delimited field.
    Tag(out, v1::DomainEvent::kClassificationFieldNumber, 2);
    out->WriteVarint32(0);
  });
  v1::DomainEvent parsed;
  ASSERT_TRUE(parsed.ParseFromString(bytes));
  FoldEvent e;
  ASSERT_TRUE(DecodeFoldEvent(bytes, &e));
  EXPECT_EQ(e.payload_case, parsed.payload_case());
  EXPECT_EQ(e.review_id, parsed.risk_resolved().review_id());
  EXPECT_EQ(e.risk_id, parsed.risk_resolved().risk_id());
  EXPECT_EQ(e.classification, parsed.classification());
}

TEST(FoldEventTest, GroupsAreSkippedAndAStrayEndIsRefusedAsByProtobuf) {
  // An unknown group holding a nested group, then the classification.
  const std::string grouped = Encode([](auto* out) {
    Tag(out, 40, 3);
    Tag(out, 41, 0);
    out->WriteVarint32(9);
    Tag(out, 42, 3);
    Tag(out, 42, 4);
    Tag(out, 40, 4);
    Tag(out, v1::DomainEvent::kClassificationFieldNumber, 0);
    out->WriteVarint32(v1::CLASSIFICATION_OFFICIAL);
  });
  v1::DomainEvent parsed;
  ASSERT_TRUE(parsed.ParseFromString(grouped));
  FoldEvent e;
  ASSERT_TRUE(DecodeFoldEvent(grouped, &e));
  EXPECT_TRUE(e.official());
  // An end without its start, a group ended by another's number, and an
  // unterminated group.
  for (const std::string& bad :
       {Encode([](auto* out) { Tag(out, 40, 4); }), Encode([](auto* out) {
          Tag(out, 40, 3);
          Tag(out, 41, 4);
        }),
        Encode([](auto* out) { Tag(out, 40, 3); })}) {
    EXPECT_FALSE(parsed.ParseFromString(bad));
    EXPECT_FALSE(DecodeFoldEvent(bad, &e));
  }
}

TEST(FoldEventTest, EveryPayloadOfTheOneofIsKnown) {
  // A payload added to domain.proto without the decoder would fold as no
  // event at all: each field of the oneof, set by reflection, must decode
  // as its case.
  const google::protobuf::OneofDescriptor* oneof =
      v1::DomainEvent::descriptor()->FindOneofByName("payload");
  ASSERT_NE(oneof, nullptr);
  ASSERT_GT(oneof->field_count(), 20);
  for (int i = 0; i < oneof->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* field = oneof->field(i);
    v1::DomainEvent d = Envelope();
    d.GetReflection()->MutableMessage(&d, field);
    const std::string bytes = d.SerializeAsString();
    FoldEvent e;
    ASSERT_TRUE(DecodeFoldEvent(bytes, &e)) << field->name();
    EXPECT_EQ(static_cast<int>(e.payload_case), field->number())
        << field->name();
  }
}

TEST(FoldEventTest, APayloadSeenTwiceIsMergedAsByProtobuf) {
  v1::DomainEvent first;
  auto* m = first.mutable_meeting_observed();
  m->set_review_id("r1");
  m->add_attending_agency_ids("opcc");
  m->add_related_recommendations(1);
  v1::DomainEvent second;
  second.mutable_meeting_observed()->add_attending_agency_ids("paladin");
  second.mutable_meeting_observed()->add_related_recommendations(2);
  // A risk raised whose description comes in two pieces.
  v1::DomainEvent risk1, risk2;
  risk1.mutable_risk_raised()->mutable_description()->set_en("English");
  risk2.mutable_risk_raised()->mutable_description()->set_cy("Cymraeg");
  for (const auto& [a, b] :
       {std::make_pair(&first, &second), std::make_pair(&risk1, &risk2)}) {
    const std::string bytes = a->SerializeAsString() + b->SerializeAsString();
    v1::DomainEvent parsed;
    ASSERT_TRUE(parsed.ParseFromString(bytes));
    FoldEvent e;
    ASSERT_TRUE(DecodeFoldEvent(bytes, &e));
    EXPECT_EQ(e.payload_case, parsed.payload_case());
    if (parsed.has_meeting_observed()) {
      EXPECT_EQ(e.review_id, "r1");
      EXPECT_THAT(
          Strings(e.agency_ids),
          ElementsAreArray(parsed.meeting_observed().attending_agency_ids()));
      EXPECT_THAT(e.related_recommendations,
                  ElementsAreArray(
                      parsed.meeting_observed().related_recommendations()));
    } else {
      // The pieces, parsed in order, give what protobuf merged.
      v1::LocalizedText merged;
      for (absl::string_view piece : e.text) {
        v1::LocalizedText part;
        ASSERT_TRUE(
            part.ParseFromArray(piece.data(), static_cast<int>(piece.size())));
        merged.MergeFrom(part);
      }
      EXPECT_EQ(merged.SerializeAsString(),
                parsed.risk_raised().description().SerializeAsString());
      EXPECT_EQ(merged.en(), "English");
      EXPECT_EQ(merged.cy(), "Cymraeg");
    }
  }
  // Another payload after the first replaces it, as in a oneof.
  v1::DomainEvent closed;
  closed.mutable_recommendation_closed()->set_number(4);
  const std::string bytes =
      first.SerializeAsString() + closed.SerializeAsString();
  FoldEvent e;
  ASSERT_TRUE(DecodeFoldEvent(bytes, &e));
  EXPECT_EQ(e.payload_case, v1::DomainEvent::kRecommendationClosed);
  EXPECT_TRUE(e.review_id.empty());
  EXPECT_THAT(e.agency_ids, IsEmpty());
  EXPECT_EQ(e.number, 4);
}

TEST(FoldEventTest, UnknownFieldsAreSkippedAndAnUnknownPayloadIsNone) {
  const std::string bytes = Encode([](auto* out) {
    Tag(out, 99, 2);  // a payload this code does not know
    out->WriteVarint32(3);
    out->WriteString("abc");
    Tag(out, 98, 1);  // fixed64
    out->WriteLittleEndian64(7);
    Tag(out, 97, 5);  // fixed32
    out->WriteLittleEndian32(7);
    Tag(out, v1::DomainEvent::kClassificationFieldNumber, 0);
    out->WriteVarint32(v1::CLASSIFICATION_OFFICIAL);
  });
  FoldEvent e;
  ASSERT_TRUE(DecodeFoldEvent(bytes, &e));
  EXPECT_EQ(e.payload_case, v1::DomainEvent::PAYLOAD_NOT_SET);
  EXPECT_TRUE(e.official());
}

TEST(FoldEventTest, RepeatedNumbersPackedOrNotAndTheLastPayloadWins) {
  // related_recommendations unpacked (one varint each), then packed.
  const std::string risk = Encode([](auto* out) {
    Tag(out, v1::RiskRaised::kRelatedRecommendationsFieldNumber, 0);
    out->WriteVarint32(3);
    Tag(out, v1::RiskRaised::kRelatedRecommendationsFieldNumber, 2);
    out->WriteVarint32(2);
    out->WriteVarint32(4);
    out->WriteVarint32(5);
    Tag(out, v1::RiskRaised::kRiskIdFieldNumber, 2);
    out->WriteVarint32(1);
    out->WriteString("k");
  });
  const std::string closed = v1::RecommendationClosed().SerializeAsString();
  const std::string bytes = Encode([&](auto* out) {
    Tag(out, v1::DomainEvent::kRecommendationClosedFieldNumber, 2);
    out->WriteVarint32(static_cast<uint32_t>(closed.size()));
    out->WriteString(closed);
    Tag(out, v1::DomainEvent::kRiskRaisedFieldNumber, 2);
    out->WriteVarint32(static_cast<uint32_t>(risk.size()));
    out->WriteString(risk);
  });
  v1::DomainEvent parsed;
  ASSERT_TRUE(parsed.ParseFromString(bytes));
  ASSERT_EQ(parsed.payload_case(), v1::DomainEvent::kRiskRaised);
  FoldEvent e;
  ASSERT_TRUE(DecodeFoldEvent(bytes, &e));
  EXPECT_EQ(e.payload_case, v1::DomainEvent::kRiskRaised);
  EXPECT_THAT(e.related_recommendations,
              ElementsAreArray(parsed.risk_raised().related_recommendations()));
  EXPECT_EQ(e.risk_id, "k");
}

TEST(FoldEventTest, DecodingAgainClearsEveryMember) {
  // Every member set, as no single event sets them.
  const std::string keep = "kept";
  FoldEvent e;
  e.payload_case = v1::DomainEvent::kMeetingObserved;
  e.occurred_seconds = 1;
  e.occurred_nanos = 1;
  e.classification = 1;
  for (absl::string_view* v :
       {&e.actor_agency_id, &e.actor_person, &e.review_id, &e.agency_id,
        &e.update_id, &e.activity_id, &e.risk_id, &e.programme_id, &e.report_id,
        &e.period, &e.date, &e.theme_id, &e.owning_agency_id}) {
    *v = keep;
  }
  e.number = 1;
  e.kind = 1;
  e.text_not_in_source = true;
  e.related_recommendation = 1;
  e.text.push_back(keep);
  e.agency_ids.push_back(keep);
  e.theme_ids.push_back(keep);
  e.related_recommendations.push_back(1);
  e.figures.push_back(keep);
  e.narrative.push_back(keep);
  ASSERT_TRUE(DecodeFoldEvent("", &e));
  const FoldEvent empty;
  EXPECT_EQ(e.payload_case, empty.payload_case);
  EXPECT_EQ(e.occurred_seconds, 0);
  EXPECT_EQ(e.occurred_nanos, 0);
  EXPECT_EQ(e.classification, 0);
  for (absl::string_view v :
       {e.actor_agency_id, e.actor_person, e.review_id, e.agency_id,
        e.update_id, e.activity_id, e.risk_id, e.programme_id, e.report_id,
        e.period, e.date, e.theme_id, e.owning_agency_id}) {
    EXPECT_TRUE(v.empty()) << v;
  }
  EXPECT_EQ(e.number, 0);
  EXPECT_EQ(e.kind, 0);
  EXPECT_FALSE(e.text_not_in_source);
  EXPECT_EQ(e.related_recommendation, 0);
  EXPECT_THAT(e.text, IsEmpty());
  EXPECT_THAT(e.agency_ids, IsEmpty());
  EXPECT_THAT(e.theme_ids, IsEmpty());
  EXPECT_THAT(e.related_recommendations, IsEmpty());
  EXPECT_THAT(e.figures, IsEmpty());
  EXPECT_THAT(e.narrative, IsEmpty());
}

}  // namespace
}  // namespace oversight::projections
