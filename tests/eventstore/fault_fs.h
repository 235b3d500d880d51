// FaultFs: a RocksDB FileSystem that injects I/O errors, for the I/O fault
// tests of the event log (io_fault_test.cc).
//
// It counts the calls that make data durable or can fail for lack of
// space: writable-file Append / PositionedAppend, Sync / Fsync / RangeSync,
// Close, and directory Fsync. Any of them can be made to fail, once at the
// Nth call from now (as SQLite's I/O error tests step through every call)
// or every time until cleared (a full disk). A failed Append or
// PositionedAppend writes nothing; a failed sync leaves the data written
// but not synced, as Linux does.
//
// It also tracks how much of each file written through it has been synced,
// and DropUnsyncedData() cuts every such file back to that: what a power
// cut would leave. The info log (LOG) is neither counted nor failed.
//
// Example:
//   auto fs = std::make_shared<FaultFs>();
//   options.file_system = fs;
//   fs->FailAt(fs->calls() + 2);        // the second counted call from now
//   fs->FailAll(FaultFs::Fault::kNoSpace);  // full disk
//   fs->Clear();

#ifndef OVERSIGHT_TESTS_EVENTSTORE_FAULT_FS_H_
#define OVERSIGHT_TESTS_EVENTSTORE_FAULT_FS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"

namespace oversight::eventstore::test {

class FaultFs : public rocksdb::FileSystemWrapper {
 public:
  enum class Fault { kIOError, kNoSpace };
  // Kinds of counted call.
  enum class Op { kAppend, kSync, kClose, kDirSync };

  // With `real_syncs` false, syncs (of files and directories) are counted,
  // failed and tracked for DropUnsyncedData but do not reach the disk:
  // the tests cut the power themselves, and real fsyncs would only make
  // them slow on a busy machine.
  explicit FaultFs(std::shared_ptr<rocksdb::FileSystem> base =
                       rocksdb::FileSystem::Default(),
                   bool real_syncs = false);

  bool real_syncs() const { return real_syncs_; }

  const char* Name() const override { return "OversightFaultFs"; }

  // Counted calls since construction.
  uint64_t calls() const;
  // Counted calls since construction, with the file each was on, as
  // "Sync 000004.log"; for failure messages.
  std::vector<std::string> Trace() const;
  // Fails the counted call number `n` (calls() + 1 is the next one) with
  // `fault`, once.
  void FailAt(uint64_t n, Fault fault = Fault::kIOError);
  // Fails every counted call until Clear().
  void FailAll(Fault fault);
  // No more failures.
  void Clear();
  // How many calls failed since construction.
  uint64_t failures() const;

  // Cuts every file written through this file system back to the bytes
  // synced; a simulated power cut. Close the store first (with FailAll on,
  // so that closing cannot sync anything more).
  absl::Status DropUnsyncedData();

  rocksdb::IOStatus NewWritableFile(
      const std::string& fname, const rocksdb::FileOptions& options,
      std::unique_ptr<rocksdb::FSWritableFile>* result,
      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReopenWritableFile(
      const std::string& fname, const rocksdb::FileOptions& options,
      std::unique_ptr<rocksdb::FSWritableFile>* result,
      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReuseWritableFile(
      const std::string& fname, const std::string& old_fname,
      const rocksdb::FileOptions& options,
      std::unique_ptr<rocksdb::FSWritableFile>* result,
      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewDirectory(const std::string& name,
                                 const rocksdb::IOOptions& options,
                                 std::unique_ptr<rocksdb::FSDirectory>* result,
                                 rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus RenameFile(const std::string& src,
                               const std::string& target,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteFile(const std::string& fname,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;

  // Used by the file wrappers.
  // Counts a call of `op` on `fname`; returns the error to inject, if any.
  rocksdb::IOStatus Count(Op op, const std::string& fname);
  void Written(const std::string& fname, uint64_t end);
  void Synced(const std::string& fname, uint64_t end);

 private:
  struct FileState {
    uint64_t size = 0;
    uint64_t synced = 0;
  };
  rocksdb::IOStatus Wrap(const std::string& fname, uint64_t initial_size,
                         rocksdb::IOStatus s,
                         std::unique_ptr<rocksdb::FSWritableFile>* result);

  const bool real_syncs_;
  mutable absl::Mutex mu_;
  uint64_t calls_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t failures_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t fail_at_ ABSL_GUARDED_BY(mu_) = 0;  // 0: none.
  bool fail_all_ ABSL_GUARDED_BY(mu_) = false;
  Fault fault_ ABSL_GUARDED_BY(mu_) = Fault::kIOError;
  std::vector<std::string> trace_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, FileState> files_ ABSL_GUARDED_BY(mu_);
};

// An Env for RocksDB on `fs` whose clock cuts every sleep short (to at
// most 10 ms), so the tests do not wait out RocksDB's one-second pause
// after a failed flush. Must outlive the database.
std::unique_ptr<rocksdb::Env> NewFaultEnv(std::shared_ptr<FaultFs> fs);

}  // namespace oversight::eventstore::test

#endif  // OVERSIGHT_TESTS_EVENTSTORE_FAULT_FS_H_
