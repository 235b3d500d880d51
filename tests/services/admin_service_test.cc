// oversight.v1.Admin over real gRPC: Backup writes a backup of the served
// store under the configured --backup_dir only, for the operator only,
// with stable reasons for every refusal; a refused call creates nothing.

#include "services/admin_service.h"

#include <filesystem>
#include <string>

#include "absl/strings/escaping.h"
#include "eventstore/backup.h"
#include "eventstore/errors.h"
#include "gmock/gmock.h"
#include "oversight/v1/admin.grpc.pb.h"
#include "services/authorization.h"
#include "tests/services/service_fixture.h"

namespace oversight::services {
namespace {

namespace fs = std::filesystem;

class AdminServiceTest : public ServiceTest {
 protected:
  AdminServiceTest() {
    fs::create_directories(dir_.Sub("backups"));
    server_options_.backup_dir = dir_.Sub("backups");
    server_options_.backup = [this](const std::string& dir) {
      return store_->Backup(dir);
    };
  }

  void SetUp() override {
    ServiceTest::SetUp();
    admin_ = v1::Admin::NewStub(channel_);
  }

  void Restart() {
    admin_.reset();
    StopServer();
    StartServer();
    admin_ = v1::Admin::NewStub(channel_);
  }

  struct Outcome {
    grpc::Status status;
    std::string reason;
    v1::BackupResponse response;
  };

  Outcome CallBackup(const std::string& name,
                     std::unique_ptr<grpc::ClientContext> ctx = Context()) {
    v1::BackupRequest request;
    request.set_name(name);
    Outcome out;
    out.status = admin_->Backup(ctx.get(), request, &out.response);
    out.reason = Trailer(*ctx, "oversight-reason");
    return out;
  }

  bool BackupsEmpty() const { return fs::is_empty(dir_.Sub("backups")); }

  std::unique_ptr<v1::Admin::Stub> admin_;
};

TEST_F(AdminServiceTest, TheOperatorBacksUpTheServedStore) {
  for (int i = 0; i < 5; ++i)
    MustAppend(AppendOne("notes-" + std::to_string(i)));
  const eventstore::ChainHead head = store_->Head();
  Outcome out = CallBackup("2025-01-31_a");
  ASSERT_TRUE(out.status.ok()) << out.status.error_message();
  EXPECT_EQ(out.response.directory(),
            fs::absolute(dir_.Sub("backups/2025-01-31_a"))
                .lexically_normal()
                .string());
  EXPECT_EQ(out.response.position(), head.position);
  EXPECT_EQ(out.response.hash(),
            std::string(head.hash.begin(), head.hash.end()));
  EXPECT_EQ(out.response.recorded_at().seconds(),
            absl::ToUnixSeconds(head.recorded_at));

  // The backup is a store with that head.
  eventstore::RocksEventStore::Options options;
  options.create_if_missing = false;
  auto copy =
      eventstore::RocksEventStore::Open(out.response.directory(), options);
  ASSERT_TRUE(copy.ok()) << copy.status();
  EXPECT_EQ((*copy)->Head().position, head.position);
  EXPECT_EQ((*copy)->Head().hash, head.hash);

  // The same name again: refused, the first backup kept.
  Outcome again = CallBackup("2025-01-31_a");
  EXPECT_EQ(again.status.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(again.reason, eventstore::kReasonBackupExists);
}

TEST_F(AdminServiceTest, OnlyTheOperatorMayBackUp) {
  for (const char* role : {"", "force", "reviewing-body", "partner", "panel",
                           "auditor", "importer"}) {
    SCOPED_TRACE(role);
    Outcome out = CallBackup("by-someone", RoleContext("someone", role));
    EXPECT_EQ(out.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(out.reason, kReasonRoleNotAllowed);
  }
  EXPECT_TRUE(BackupsEmpty());
  EXPECT_EQ(AllowedRoles(RpcName<v1::Admin, v1::BackupRequest>()),
            RoleSet({Role::kOperator}));
}

TEST_F(AdminServiceTest, WithoutABackupDirThereAreNoBackups) {
  server_options_.backup_dir.clear();
  Restart();
  Outcome out = CallBackup("nightly");
  EXPECT_EQ(out.status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(out.reason, kReasonBackupNotConfigured);
  EXPECT_THAT(out.status.error_message(), ::testing::HasSubstr("--backup_dir"));
  EXPECT_TRUE(BackupsEmpty());
}

TEST_F(AdminServiceTest, ANameIsOnePlainPathComponent) {
  for (const std::string& name :
       {std::string(""), std::string("."), std::string(".."),
        std::string("../escape"), std::string("a/b"), std::string("/tmp/x"),
        std::string(".hidden"), std::string("a b"), std::string("a\\b"),
        std::string("x\0y", 3), std::string("caf\xc3\xa9"),
        std::string(129, 'a')}) {
    SCOPED_TRACE(absl::CHexEscape(name));
    Outcome out = CallBackup(name);
    EXPECT_EQ(out.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(out.reason, kReasonInvalidBackupName);
  }
  EXPECT_TRUE(BackupsEmpty());
  EXPECT_FALSE(fs::exists(dir_.Sub("escape")));
  for (const char* name : {"a", "2025-01-31", "nightly.1", "A_b-C.d"}) {
    EXPECT_TRUE(ValidateBackupName(name).ok()) << name;
  }
  EXPECT_TRUE(ValidateBackupName(std::string(128, 'a')).ok());
}

TEST_F(AdminServiceTest, AVanishedBackupDirIsAFailedPrecondition) {
  fs::remove(dir_.Sub("backups"));
  Outcome out = CallBackup("nightly");
  EXPECT_EQ(out.status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(out.reason, eventstore::kReasonBackupParentMissing);
  EXPECT_FALSE(fs::exists(dir_.Sub("backups")));
}

}  // namespace
}  // namespace oversight::services
