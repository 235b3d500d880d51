#include "tests/eventstore/fault_fs.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "rocksdb/system_clock.h"

namespace oversight::eventstore::test {

namespace {

std::string BaseName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

const char* OpName(FaultFs::Op op) {
  switch (op) {
    case FaultFs::Op::kAppend:
      return "Append";
    case FaultFs::Op::kSync:
      return "Sync";
    case FaultFs::Op::kClose:
      return "Close";
    case FaultFs::Op::kDirSync:
      return "DirSync";
  }
  return "?";
}

class FaultFile : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FaultFile(FaultFs* fs, std::string fname,
            std::unique_ptr<rocksdb::FSWritableFile> target, uint64_t size)
      : FSWritableFileOwnerWrapper(std::move(target)),
        fs_(fs),
        fname_(std::move(fname)),
        size_(size) {}

  rocksdb::IOStatus Append(const rocksdb::Slice& data,
                           const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
    if (rocksdb::IOStatus s = fs_->Count(FaultFs::Op::kAppend, fname_);
        !s.ok()) {
      return s;
    }
    rocksdb::IOStatus s = target()->Append(data, options, dbg);
    if (s.ok()) Wrote(size_ + data.size());
    return s;
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data,
                           const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo& info,
                           rocksdb::IODebugContext* dbg) override {
    if (rocksdb::IOStatus s = fs_->Count(FaultFs::Op::kAppend, fname_);
        !s.ok()) {
      return s;
    }
    rocksdb::IOStatus s = target()->Append(data, options, info, dbg);
    if (s.ok()) Wrote(size_ + data.size());
    return s;
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data,
                                     uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     rocksdb::IODebugContext* dbg) override {
    if (rocksdb::IOStatus s = fs_->Count(FaultFs::Op::kAppend, fname_);
        !s.ok()) {
      return s;
    }
    rocksdb::IOStatus s =
        target()->PositionedAppend(data, offset, options, dbg);
    if (s.ok()) Wrote(std::max(size_, offset + data.size()));
    return s;
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data,
                                     uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     const rocksdb::DataVerificationInfo& info,
                                     rocksdb::IODebugContext* dbg) override {
    if (rocksdb::IOStatus s = fs_->Count(FaultFs::Op::kAppend, fname_);
        !s.ok()) {
      return s;
    }
    rocksdb::IOStatus s =
        target()->PositionedAppend(data, offset, options, info, dbg);
    if (s.ok()) Wrote(std::max(size_, offset + data.size()));
    return s;
  }
  rocksdb::IOStatus Truncate(uint64_t size, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = target()->Truncate(size, options, dbg);
    if (s.ok()) {
      size_ = size;
      fs_->Written(fname_, size_);
    }
    return s;
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& options,
                         rocksdb::IODebugContext* dbg) override {
    if (rocksdb::IOStatus s = fs_->Count(FaultFs::Op::kSync, fname_); !s.ok()) {
      return s;
    }
    rocksdb::IOStatus s = fs_->real_syncs() ? target()->Sync(options, dbg)
                                            : rocksdb::IOStatus::OK();
    if (s.ok()) fs_->Synced(fname_, size_);
    return s;
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* dbg) override {
    if (rocksdb::IOStatus s = fs_->Count(FaultFs::Op::kSync, fname_); !s.ok()) {
      return s;
    }
    rocksdb::IOStatus s = fs_->real_syncs() ? target()->Fsync(options, dbg)
                                            : rocksdb::IOStatus::OK();
    if (s.ok()) fs_->Synced(fname_, size_);
    return s;
  }
  // sync_file_range makes no promise about a power cut: counted and
  // failable, but nothing is taken as synced.
  rocksdb::IOStatus RangeSync(uint64_t offset, uint64_t nbytes,
                              const rocksdb::IOOptions& options,
                              rocksdb::IODebugContext* dbg) override {
    if (rocksdb::IOStatus s = fs_->Count(FaultFs::Op::kSync, fname_); !s.ok()) {
      return s;
    }
    if (!fs_->real_syncs()) return rocksdb::IOStatus::OK();
    return target()->RangeSync(offset, nbytes, options, dbg);
  }
  rocksdb::IOStatus Close(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* dbg) override {
    if (rocksdb::IOStatus s = fs_->Count(FaultFs::Op::kClose, fname_);
        !s.ok()) {
      // Close the real file all the same, so no descriptor leaks; the
      // caller sees the failure.
      target()->Close(options, dbg).PermitUncheckedError();
      return s;
    }
    return target()->Close(options, dbg);
  }

 private:
  void Wrote(uint64_t end) {
    size_ = end;
    fs_->Written(fname_, end);
  }

  FaultFs* const fs_;
  const std::string fname_;
  uint64_t size_;
};

class FaultDirectory : public rocksdb::FSDirectoryWrapper {
 public:
  FaultDirectory(FaultFs* fs, std::string name,
                 std::unique_ptr<rocksdb::FSDirectory> target)
      : FSDirectoryWrapper(std::move(target)),
        fs_(fs),
        name_(std::move(name)) {}

  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* dbg) override {
    if (rocksdb::IOStatus s = fs_->Count(FaultFs::Op::kDirSync, name_);
        !s.ok()) {
      return s;
    }
    if (!fs_->real_syncs()) return rocksdb::IOStatus::OK();
    return FSDirectoryWrapper::Fsync(options, dbg);
  }
  rocksdb::IOStatus FsyncWithDirOptions(
      const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg,
      const rocksdb::DirFsyncOptions& dir_options) override {
    if (rocksdb::IOStatus s = fs_->Count(FaultFs::Op::kDirSync, name_);
        !s.ok()) {
      return s;
    }
    if (!fs_->real_syncs()) return rocksdb::IOStatus::OK();
    return FSDirectoryWrapper::FsyncWithDirOptions(options, dbg, dir_options);
  }

 private:
  FaultFs* const fs_;
  const std::string name_;
};

class ShortSleepClock : public rocksdb::SystemClockWrapper {
 public:
  ShortSleepClock() : SystemClockWrapper(rocksdb::SystemClock::Default()) {}
  const char* Name() const override { return "OversightShortSleepClock"; }
  void SleepForMicroseconds(int micros) override {
    SystemClockWrapper::SleepForMicroseconds(std::min(micros, 10000));
  }
};

class FaultEnv : public rocksdb::EnvWrapper {
 public:
  explicit FaultEnv(std::unique_ptr<rocksdb::Env> composite)
      : EnvWrapper(std::move(composite)) {
    system_clock_ = std::make_shared<ShortSleepClock>();
  }
  const char* Name() const override { return "OversightFaultEnv"; }
};

}  // namespace

std::unique_ptr<rocksdb::Env> NewFaultEnv(std::shared_ptr<FaultFs> fs) {
  return std::make_unique<FaultEnv>(rocksdb::NewCompositeEnv(std::move(fs)));
}

FaultFs::FaultFs(std::shared_ptr<rocksdb::FileSystem> base, bool real_syncs)
    : FileSystemWrapper(std::move(base)), real_syncs_(real_syncs) {}

uint64_t FaultFs::calls() const {
  absl::MutexLock lock(&mu_);
  return calls_;
}

std::vector<std::string> FaultFs::Trace() const {
  absl::MutexLock lock(&mu_);
  return trace_;
}

uint64_t FaultFs::failures() const {
  absl::MutexLock lock(&mu_);
  return failures_;
}

void FaultFs::FailAt(uint64_t n, Fault fault) {
  absl::MutexLock lock(&mu_);
  fail_at_ = n;
  fault_ = fault;
}

void FaultFs::FailAll(Fault fault) {
  absl::MutexLock lock(&mu_);
  fail_all_ = true;
  fault_ = fault;
}

void FaultFs::Clear() {
  absl::MutexLock lock(&mu_);
  fail_at_ = 0;
  fail_all_ = false;
}

rocksdb::IOStatus FaultFs::Count(Op op, const std::string& fname) {
  // The info log is RocksDB's diary, not the store's data.
  if (absl::StartsWith(BaseName(fname), "LOG")) return rocksdb::IOStatus::OK();
  absl::MutexLock lock(&mu_);
  ++calls_;
  trace_.push_back(absl::StrCat(OpName(op), " ", BaseName(fname)));
  if (fail_all_ || calls_ == fail_at_) {
    if (calls_ == fail_at_) fail_at_ = 0;
    ++failures_;
    const std::string message =
        absl::StrCat("injected fault at call ", calls_, ": ", trace_.back());
    return fault_ == Fault::kNoSpace ? rocksdb::IOStatus::NoSpace(message)
                                     : rocksdb::IOStatus::IOError(message);
  }
  return rocksdb::IOStatus::OK();
}

void FaultFs::Written(const std::string& fname, uint64_t end) {
  absl::MutexLock lock(&mu_);
  FileState& f = files_[fname];
  f.size = end;
  f.synced = std::min(f.synced, end);
}

void FaultFs::Synced(const std::string& fname, uint64_t end) {
  absl::MutexLock lock(&mu_);
  files_[fname].synced = end;
}

rocksdb::IOStatus FaultFs::Wrap(
    const std::string& fname, uint64_t initial_size, rocksdb::IOStatus s,
    std::unique_ptr<rocksdb::FSWritableFile>* result) {
  if (!s.ok()) return s;
  {
    absl::MutexLock lock(&mu_);
    files_[fname] = FileState{initial_size, initial_size};
  }
  *result = std::make_unique<FaultFile>(this, fname, std::move(*result),
                                        initial_size);
  return s;
}

rocksdb::IOStatus FaultFs::NewWritableFile(
    const std::string& fname, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result,
    rocksdb::IODebugContext* dbg) {
  return Wrap(fname, 0, target()->NewWritableFile(fname, options, result, dbg),
              result);
}

rocksdb::IOStatus FaultFs::ReopenWritableFile(
    const std::string& fname, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result,
    rocksdb::IODebugContext* dbg) {
  uint64_t size = 0;
  if (!target()->GetFileSize(fname, rocksdb::IOOptions(), &size, dbg).ok()) {
    size = 0;
  }
  return Wrap(fname, size,
              target()->ReopenWritableFile(fname, options, result, dbg),
              result);
}

rocksdb::IOStatus FaultFs::ReuseWritableFile(
    const std::string& fname, const std::string& old_fname,
    const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result,
    rocksdb::IODebugContext* dbg) {
  {
    absl::MutexLock lock(&mu_);
    files_.erase(old_fname);
  }
  return Wrap(
      fname, 0,
      target()->ReuseWritableFile(fname, old_fname, options, result, dbg),
      result);
}

rocksdb::IOStatus FaultFs::NewDirectory(
    const std::string& name, const rocksdb::IOOptions& options,
    std::unique_ptr<rocksdb::FSDirectory>* result,
    rocksdb::IODebugContext* dbg) {
  rocksdb::IOStatus s = target()->NewDirectory(name, options, result, dbg);
  if (!s.ok()) return s;
  *result = std::make_unique<FaultDirectory>(this, name, std::move(*result));
  return s;
}

rocksdb::IOStatus FaultFs::RenameFile(const std::string& src,
                                      const std::string& target_name,
                                      const rocksdb::IOOptions& options,
                                      rocksdb::IODebugContext* dbg) {
  rocksdb::IOStatus s = target()->RenameFile(src, target_name, options, dbg);
  if (s.ok()) {
    absl::MutexLock lock(&mu_);
    if (auto it = files_.find(src); it != files_.end()) {
      FileState state = it->second;
      files_.erase(it);
      files_[target_name] = state;
    } else {
      files_.erase(target_name);
    }
  }
  return s;
}

rocksdb::IOStatus FaultFs::DeleteFile(const std::string& fname,
                                      const rocksdb::IOOptions& options,
                                      rocksdb::IODebugContext* dbg) {
  rocksdb::IOStatus s = target()->DeleteFile(fname, options, dbg);
  if (s.ok()) {
    absl::MutexLock lock(&mu_);
    files_.erase(fname);
  }
  return s;
}

absl::Status FaultFs::DropUnsyncedData() {
  absl::MutexLock lock(&mu_);
  for (auto& [fname, state] : files_) {
    uint64_t size = 0;
    if (!target()
             ->GetFileSize(fname, rocksdb::IOOptions(), &size, nullptr)
             .ok()) {
      continue;  // Gone.
    }
    if (size > state.synced) {
      if (::truncate(fname.c_str(), static_cast<off_t>(state.synced)) != 0) {
        return absl::InternalError(
            absl::StrCat("truncating ", fname, ": ", std::strerror(errno)));
      }
    }
    state.size = state.synced;
  }
  return absl::OkStatus();
}

}  // namespace oversight::eventstore::test
