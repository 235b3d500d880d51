// Need-to-know in the read models (projections/need_to_know.h): who may
// read an OFFICIAL-SENSITIVE event, what a fold for a reader leaves out,
// what the history keeps of a withheld event, and the state's postings of
// sensitive events that tell a server when an answer must be folded for
// its reader. The access log's events are in no read model.

#include "projections/need_to_know.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "oversight/v1/domain.pb.h"
#include "oversight/v1/projection_state.pb.h"
#include "projections/read_model.h"

namespace oversight::projections {
namespace {

using google::protobuf::util::MessageDifferencer;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

google::protobuf::Timestamp Ts(int64_t seconds) {
  google::protobuf::Timestamp t;
  t.set_seconds(seconds);
  return t;
}

v1::DomainEvent Envelope(absl::string_view agency, v1::Classification c) {
  v1::DomainEvent e;
  *e.mutable_occurred_at() = Ts(1735732800);  // 2025-01-01T12:00:00Z
  e.set_classification(c);
  e.mutable_actor()->set_agency_id(std::string(agency));
  e.mutable_actor()->set_person("Jo Bloggs");
  e.set_request_id("req-1");
  e.set_request_sha256(std::string(32, 'x'));
  return e;
}

// Recommendation 1 of review "r" rated `rating` for 2025-01 by "opcc".
v1::DomainEvent Rating(v1::Rating rating, v1::Classification c) {
  v1::DomainEvent e = Envelope("opcc", c);
  v1::RatingAssigned& a = *e.mutable_rating_assigned();
  a.set_review_id("r");
  a.set_number(1);
  a.set_period("2025-01");
  a.set_rating(rating);
  a.mutable_rationale()->set_en("Because");
  return e;
}

// A partner's case study: a quarterly report on programme "p".
v1::DomainEvent CaseStudy(absl::string_view agency, v1::Classification c) {
  v1::DomainEvent e = Envelope(agency, c);
  v1::PartnerReportSubmitted& p = *e.mutable_partner_report_submitted();
  p.set_programme_id("p");
  p.set_report_id("q1");
  return e;
}

RecordedDomainEvent At(uint64_t position, v1::DomainEvent e) {
  RecordedDomainEvent r;
  r.position = position;
  r.stream = "recommendation-r-1";
  r.event = std::move(e);
  return r;
}

std::vector<uint64_t> Positions(const std::vector<RecordedDomainEvent>& v) {
  std::vector<uint64_t> out;
  for (const RecordedDomainEvent& e : v) out.push_back(e.position);
  return out;
}

constexpr v1::Classification kOfficial = v1::CLASSIFICATION_OFFICIAL;
constexpr v1::Classification kSensitive = v1::CLASSIFICATION_OFFICIAL_SENSITIVE;

TEST(NeedToKnowTest, OnlyOfficialIsNotSensitive) {
  EXPECT_FALSE(IsSensitive(Envelope("a", kOfficial)));
  EXPECT_TRUE(IsSensitive(Envelope("a", kSensitive)));
  // No classification at all is not taken as OFFICIAL.
  EXPECT_TRUE(IsSensitive(Envelope("a", v1::CLASSIFICATION_UNSPECIFIED)));
}

TEST(NeedToKnowTest, WhoMayReadWhat) {
  const v1::DomainEvent official = CaseStudy("paladin", kOfficial);
  const v1::DomainEvent sensitive = CaseStudy("paladin", kSensitive);
  struct Case {
    const char* who;
    Reader reader;
    bool official;
    bool sensitive;
  } cases[] = {
      {"the recording agency, justified", {"paladin", false, true}, true, true},
      {"the recording agency, no justification",
       {"paladin", false, false},
       true,
       false},
      {"the reviewing body, justified", {"opcc", true, true}, true, true},
      {"the reviewing body, no justification",
       {"opcc", true, false},
       true,
       false},
      {"another partner, justified", {"wwa", false, true}, true, false},
      {"the force, justified", {"police", false, true}, true, false},
      {"no agency at all", {"", false, true}, true, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.who);
    EXPECT_EQ(MayRead(c.reader, official), c.official);
    EXPECT_EQ(MayRead(c.reader, sensitive), c.sensitive);
  }
}

TEST(NeedToKnowTest, AnImportIsTheirsItWasRecordedForNotTheImporters) {
  v1::DomainEvent imported = CaseStudy("paladin", kSensitive);
  imported.mutable_actor()->set_recorded_by_agency_id("records-office");
  imported.mutable_actor()->set_recorded_by_person("Clerk");
  EXPECT_TRUE(MayRead({"paladin", false, true}, imported));
  EXPECT_FALSE(MayRead({"records-office", false, true}, imported));
}

TEST(NeedToKnowTest, FilterKeepsOrderAndCountsWhatItLeavesOut) {
  std::vector<RecordedDomainEvent> events;
  events.push_back(At(3, CaseStudy("paladin", kOfficial)));
  events.push_back(At(5, CaseStudy("paladin", kSensitive)));
  events.push_back(At(8, CaseStudy("wwa", kSensitive)));
  events.push_back(At(9, Rating(v1::RATING_AMBER, kOfficial)));

  ForReader paladin = FilterForReader(events, {"paladin", false, true});
  EXPECT_THAT(Positions(paladin.events), ElementsAre(3, 5, 9));
  EXPECT_THAT(paladin.consulted, ElementsAre(5));
  EXPECT_EQ(paladin.withheld, 1u);

  ForReader opcc = FilterForReader(events, {"opcc", true, true});
  EXPECT_THAT(Positions(opcc.events), ElementsAre(3, 5, 8, 9));
  EXPECT_THAT(opcc.consulted, ElementsAre(5, 8));
  EXPECT_EQ(opcc.withheld, 0u);

  ForReader unjustified = FilterForReader(events, {"opcc", true, false});
  EXPECT_THAT(Positions(unjustified.events), ElementsAre(3, 9));
  EXPECT_THAT(unjustified.consulted, IsEmpty());
  EXPECT_EQ(unjustified.withheld, 2u);
}

TEST(NeedToKnowTest, AWithheldEnvelopeKeepsWhenWhatClassAndWhoseOnly) {
  const v1::DomainEvent full = CaseStudy("paladin", kSensitive);
  const v1::DomainEvent shown = WithheldEnvelope(full);
  EXPECT_EQ(shown.payload_case(), v1::DomainEvent::PAYLOAD_NOT_SET);
  EXPECT_EQ(shown.occurred_at().seconds(), full.occurred_at().seconds());
  EXPECT_EQ(shown.classification(), kSensitive);
  EXPECT_EQ(shown.actor().agency_id(), "paladin");
  EXPECT_EQ(shown.actor().person(), "");
  EXPECT_EQ(shown.request_id(), "");
  EXPECT_EQ(shown.request_sha256(), "");
  // Nothing else survives: the envelope equals one built from those three.
  v1::DomainEvent expected;
  *expected.mutable_occurred_at() = full.occurred_at();
  expected.set_classification(kSensitive);
  expected.mutable_actor()->set_agency_id("paladin");
  EXPECT_TRUE(MessageDifferencer::Equals(shown, expected));
}

TEST(NeedToKnowTest, ApplyPostsSensitiveEventsUnderTheirHistoryKeys) {
  v1::ProjectionState state;
  Apply(At(1, Rating(v1::RATING_AMBER, kOfficial)), &state);
  EXPECT_THAT(state.sensitive(), IsEmpty());
  EXPECT_FALSE(HasSensitive(state, ReviewHistoryKey("r")));

  Apply(At(2, Rating(v1::RATING_RED, kSensitive)), &state);
  for (const std::string& key :
       {ReviewHistoryKey("r"), RecommendationHistoryKey("r", 1),
        AgencyHistoryKey("opcc"), PersonHistoryKey("opcc", "Jo Bloggs")}) {
    SCOPED_TRACE(key);
    EXPECT_TRUE(HasSensitive(state, key));
    EXPECT_THAT(state.sensitive().at(key).positions(), ElementsAre(2));
  }
  EXPECT_FALSE(HasSensitive(state, RecommendationHistoryKey("r", 2)));
  EXPECT_FALSE(HasSensitive(state, AgencyHistoryKey("police")));
  // A partner's sensitive report is posted under the agency, not under
  // the review its programme serves (whose board no programme stream
  // feeds), though the history shows it there.
  v1::DomainEvent programme = Envelope("paladin", kOfficial);
  programme.mutable_programme_registered()->set_programme_id("p");
  programme.mutable_programme_registered()->set_owning_agency_id("paladin");
  programme.mutable_programme_registered()->set_review_id("r2");
  Apply(At(3, programme), &state);
  Apply(At(4, CaseStudy("paladin", kSensitive)), &state);
  EXPECT_THAT(state.sensitive().at(AgencyHistoryKey("paladin")).positions(),
              ElementsAre(4));
  EXPECT_FALSE(HasSensitive(state, ReviewHistoryKey("r2")));
  EXPECT_THAT(state.history().at(ReviewHistoryKey("r2")).positions(),
              ElementsAre(3, 4));
  // Keys the sensitive postings use are the history's own.
  for (const auto& [key, postings] : state.sensitive()) {
    EXPECT_TRUE(state.history().contains(key)) << key;
  }
}

TEST(NeedToKnowTest, AFoldForAReaderShowsTheOfficialPictureOnly) {
  // Amber, recorded OFFICIAL; then Red for the same period, sensitive.
  std::vector<RecordedDomainEvent> events;
  v1::DomainEvent issued = Envelope("opcc", kOfficial);
  issued.mutable_review_opened()->set_review_id("r");
  events.push_back(At(1, issued));
  v1::DomainEvent rec = Envelope("opcc", kOfficial);
  rec.mutable_recommendation_issued()->set_review_id("r");
  rec.mutable_recommendation_issued()->set_number(1);
  rec.mutable_recommendation_issued()->set_owning_agency_id("police");
  events.push_back(At(2, rec));
  events.push_back(At(3, Rating(v1::RATING_AMBER, kOfficial)));
  events.push_back(At(4, Rating(v1::RATING_RED, kSensitive)));

  auto rating_for = [&](const Reader& reader) {
    v1::ProjectionState state;
    for (const RecordedDomainEvent& e :
         FilterForReader(events, reader).events) {
      Apply(e, &state);
    }
    return state.reviews().at("r").recommendations().at(1).ratings().at(
        "2025-01");
  };
  EXPECT_EQ(rating_for({"police", false, true}).rating(), v1::RATING_AMBER);
  EXPECT_EQ(rating_for({"opcc", true, false}).rating(), v1::RATING_AMBER);
  EXPECT_EQ(rating_for({"opcc", true, true}).rating(), v1::RATING_RED);
  EXPECT_EQ(rating_for({"opcc", true, true}).position(), 4u);
}

TEST(NeedToKnowTest, TheAccessLogIsInNoReadModel) {
  v1::ProjectionState state;
  Apply(At(1, Rating(v1::RATING_AMBER, kOfficial)), &state);
  const v1::ProjectionState before = state;

  v1::DomainEvent access = Envelope("auditor", kOfficial);
  v1::AccessRecorded& a = *access.mutable_access_recorded();
  a.set_kind(v1::ACCESS_KIND_CONSULTATION);
  a.set_method("/oversight.v1.Queries/ListHistory");
  a.add_positions(1);
  a.set_justification("Complaint 2025/17");
  Apply(At(2, access), &state);

  EXPECT_EQ(state.position(), 2u);
  v1::ProjectionState expected = before;
  expected.set_position(2);
  EXPECT_TRUE(MessageDifferencer::Equals(state, expected));
  EXPECT_THAT(HistoryKeysOf(access), IsEmpty());
}

}  // namespace
}  // namespace oversight::projections
