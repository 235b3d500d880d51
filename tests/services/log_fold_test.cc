// FoldLog: the log read on one thread and parsed on another hands the fold
// every domain event once, in log order, skipping other streams and
// undecodable payloads; and the state it folds equals a plain fold of
// ReadAll's pages.

#include "services/log_fold.h"

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "eventstore/rocks_event_store.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "oversight/v1/domain.pb.h"
#include "projections/read_model.h"
#include "tests/testing/temp_dir.h"

namespace oversight::services {
namespace {

namespace es = ::oversight::eventstore;
namespace pj = ::oversight::projections;

class LogFoldTest : public ::testing::Test {
 protected:
  void SetUp() override {
    es::RocksEventStore::Options options;
    options.sync = false;
    auto store = es::RocksEventStore::Open(dir_.Sub("db"), options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  void Append(const std::string& stream, const std::string& data) {
    es::ProposedEvent e;
    e.id = es::EventId::Random();
    e.type = "oversight.v1.Test";
    e.data = data;
    auto r = store_->Append(stream, es::ExpectedRevision::Any(), {e});
    ASSERT_TRUE(r.ok()) << r.status();
  }

  // A domain event of review `review`: a period opened, numbered `n`.
  static std::string PeriodOpened(const std::string& review, int n) {
    v1::DomainEvent e;
    e.mutable_occurred_at()->set_seconds(1700000000 + n);
    e.set_classification(v1::CLASSIFICATION_OFFICIAL);
    e.mutable_actor()->set_agency_id("opcc");
    e.mutable_actor()->set_person("clerk");
    e.set_request_id(absl::StrCat("req-", n));
    e.mutable_reporting_period_opened()->set_review_id(review);
    e.mutable_reporting_period_opened()->set_period(
        absl::StrCat(2000 + n / 12, "-", n % 12 < 9 ? "0" : "", n % 12 + 1));
    return e.SerializeAsString();
  }

  testing::TempDir dir_;
  std::unique_ptr<es::RocksEventStore> store_;
};

TEST_F(LogFoldTest, HandsOverEveryDomainEventOnceInOrder) {
  // 1,000 events over batches of 256: domain events, a foreign stream's,
  // and a domain stream's event whose data is not a DomainEvent.
  std::vector<uint64_t> domain_positions;
  for (int i = 1; i <= 1000; ++i) {
    if (i % 10 == 0) {
      Append("notes-1", "not a domain event");
    } else if (i % 97 == 0) {
      Append("review-r", std::string("\xff\xff\xff", 3));
    } else {
      Append("review-r", PeriodOpened("r", i));
      domain_positions.push_back(i);
    }
  }
  std::vector<uint64_t> seen;
  std::vector<uint64_t> seen_beside;
  std::vector<uint64_t> throughs;
  const std::thread::id caller = std::this_thread::get_id();
  absl::StatusOr<uint64_t> last = FoldLog(
      store_.get(), 1,
      [&](absl::Span<const ScannedEvent> events) {
        // On the reading thread, each batch before the fold sees it.
        EXPECT_NE(std::this_thread::get_id(), caller);
        for (const ScannedEvent& e : events) {
          seen_beside.push_back(e.position);
        }
      },
      [&](absl::Span<const ScannedEvent> events, uint64_t through) {
        EXPECT_EQ(std::this_thread::get_id(), caller);
        for (const ScannedEvent& e : events) {
          seen.push_back(e.position);
          EXPECT_EQ(e.event->payload_case,
                    v1::DomainEvent::kReportingPeriodOpened);
          const int n = static_cast<int>(e.position);
          EXPECT_EQ(e.event->period,
                    absl::StrCat(2000 + n / 12, "-", n % 12 < 9 ? "0" : "",
                                 n % 12 + 1));
        }
        throughs.push_back(through);
      });
  ASSERT_TRUE(last.ok()) << last.status();
  EXPECT_EQ(*last, 1000u);
  EXPECT_EQ(seen, domain_positions);
  EXPECT_EQ(seen_beside, domain_positions);
  ASSERT_FALSE(throughs.empty());
  EXPECT_EQ(throughs.back(), 1000u);
  for (size_t i = 1; i < throughs.size(); ++i) {
    EXPECT_GT(throughs[i], throughs[i - 1]);
  }
}

TEST_F(LogFoldTest, FoldsTheSameStateAsAPlainFold) {
  for (int i = 1; i <= 700; ++i) {
    Append(absl::StrCat("review-r", i % 5), PeriodOpened("r", i));
  }
  // The reviews must exist for periods to be folded into them.
  for (int r = 0; r < 5; ++r) {
    v1::DomainEvent e;
    e.set_classification(v1::CLASSIFICATION_OFFICIAL);
    e.mutable_actor()->set_agency_id("opcc");
    e.mutable_review_opened()->set_review_id(absl::StrCat("r", r));
    Append(absl::StrCat("review-r", r), e.SerializeAsString());
  }
  for (int i = 701; i <= 900; ++i) {
    Append(absl::StrCat("review-r", i % 5),
           PeriodOpened(absl::StrCat("r", i % 5), i));
  }
  v1::ProjectionState plain;
  for (uint64_t from = 1;;) {
    auto page = store_->ReadAll(from, es::Direction::kForwards, 100, {});
    ASSERT_TRUE(page.ok()) << page.status();
    for (const es::RecordedEvent& r : page->events) {
      if (auto e = pj::ToDomainEvent(r)) pj::Apply(*e, &plain);
    }
    if (page->end_reached) break;
    from = page->next;
  }
  // On one thread, event by event.
  v1::ProjectionState folded;
  absl::StatusOr<uint64_t> last =
      FoldLog(store_.get(), 1,
              [&](absl::Span<const ScannedEvent> events, uint64_t through) {
                for (const ScannedEvent& e : events) {
                  pj::ApplyFold(*e.event, e.position, &folded);
                }
                folded.set_position(through);
              });
  ASSERT_TRUE(last.ok()) << last.status();
  EXPECT_EQ(folded.position(), store_->Head().position);
  EXPECT_GT(folded.history_size(), 0);
  EXPECT_TRUE(
      google::protobuf::util::MessageDifferencer::Equals(folded, plain));

  // As the host rebuilds: the history of agencies and people posted
  // beside, on the reading thread, that of reviews and recommendations
  // with the fold, both merged at the end.
  using Part = pj::HistoryBuilder::Part;
  v1::ProjectionState split;
  pj::HistoryBuilder agencies(split, Part::kAgencies);
  pj::HistoryBuilder reviews(split, Part::kReviews);
  last = FoldLog(
      store_.get(), 1,
      [&](absl::Span<const ScannedEvent> events) {
        for (const ScannedEvent& e : events) {
          agencies.Post(*e.event, e.position);
        }
      },
      [&](absl::Span<const ScannedEvent> events, uint64_t through) {
        for (const ScannedEvent& e : events) {
          pj::ApplyModels(*e.event, e.position, &split);
          reviews.Post(*e.event, e.position);
        }
        split.set_position(through);
      });
  ASSERT_TRUE(last.ok()) << last.status();
  agencies.MergeInto(&split);
  reviews.MergeInto(&split);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(split, plain));
}

TEST_F(LogFoldTest, FromPastTheHeadFoldsNothing) {
  Append("review-r", PeriodOpened("r", 1));
  int calls = 0;
  absl::StatusOr<uint64_t> last =
      FoldLog(store_.get(), 2,
              [&](absl::Span<const ScannedEvent>, uint64_t) { ++calls; });
  ASSERT_TRUE(last.ok()) << last.status();
  EXPECT_EQ(*last, 1u);
  EXPECT_EQ(calls, 0);
}

TEST_F(LogFoldTest, AClosedLogIsAnError) {
  Append("review-r", PeriodOpened("r", 1));
  store_->Close();
  absl::StatusOr<uint64_t> last = FoldLog(
      store_.get(), 1, [&](absl::Span<const ScannedEvent>, uint64_t) {});
  EXPECT_EQ(last.status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace oversight::services
