// Makes absl::Mutex and gRPC's hand-offs between its threads visible to
// ThreadSanitizer when Abseil and gRPC were not built with it (Debian's
// libraries are not).
//
// ThreadSanitizer learns that one thread's writes happen before another's
// reads from the synchronisation it sees: the pthread and futex calls it
// intercepts, and the atomics of instrumented code. absl::Mutex is a word
// of atomics and a semaphore inside an uninstrumented library, so without
// help every field guarded by an absl::Mutex looks like a data race to it.
// Abseil annotates its Mutex for ThreadSanitizer, but only when Abseil is
// compiled with it.
//
// This library, loaded with LD_PRELOAD in front of Abseil and gRPC
// (scripts/sanitize.sh), defines the public locking members of
// absl::Mutex and absl::CondVar. Each calls the real member (found with
// dlsym(RTLD_NEXT)) and tells ThreadSanitizer what happened:
//  - after a lock is taken: an acquire on the Mutex's address;
//  - before a lock is let go: a release on it;
//  - around a wait (Await, CondVar::Wait), which lets the lock go and
//    takes it again: a release before and an acquire after.
// Abseil calls its own public members through the PLT, so what it does
// inside (the CondVar transfer, a Notification's slow path) is annotated
// too, and so are gRPC's mutexes, which are absl::Mutex.
// absl::Notification has a fast path that takes no lock: a wait that
// starts after Notify only loads an atomic inside Abseil. Notify is
// therefore a release on the Notification, and a wait that returns true an
// acquire on it.
// A waiter's Condition is evaluated under the lock, but not always by the
// waiter: Unlock evaluates the waiters' conditions on the unlocking thread
// after its release, where ThreadSanitizer would take the condition's
// reads for unlocked ones. Condition::Eval therefore runs with reads
// ignored; a condition only reads state its Mutex guards.
// Reader locks are treated as exclusive ones: a reader's release orders
// later readers after it, which can hide a race between two readers but
// never reports one that is not there.
// gRPC's completions are annotated at the end of this file.
//
// The ThreadSanitizer entry points are weak, so a process that is not
// instrumented (a Python client started by a test) can load the library
// too: there the calls only forward.

#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "grpc/grpc.h"

extern "C" {
void __tsan_acquire(void* addr) __attribute__((weak));
void __tsan_release(void* addr) __attribute__((weak));
void AnnotateIgnoreReadsBegin(const char* file, int line) __attribute__((weak));
void AnnotateIgnoreReadsEnd(const char* file, int line) __attribute__((weak));
}

namespace {

void Acquire(const void* mu) {
  if (__tsan_acquire != nullptr) __tsan_acquire(const_cast<void*>(mu));
}

void Release(const void* mu) {
  if (__tsan_release != nullptr) __tsan_release(const_cast<void*>(mu));
}

// The next definition of the mangled name after this library: Abseil's.
template <typename Fn>
Fn Real(const char* mangled) {
  void* sym = dlsym(RTLD_NEXT, mangled);
  if (sym == nullptr) {
    std::fprintf(stderr, "tsan_annotations: %s not found: %s\n", mangled,
                 dlerror());
    std::abort();
  }
  return reinterpret_cast<Fn>(sym);
}

}  // namespace

// The mangled names spell the inline namespace of the installed Abseil
// (ABSL_OPTION_INLINE_NAMESPACE_NAME, "debian3" on Debian 12); the
// static_assert keeps them in step with the header.
#define OVERSIGHT_ABSL_NS "debian3"
#define OVERSIGHT_STR2(x) #x
#define OVERSIGHT_STR(x) OVERSIGHT_STR2(x)
namespace {
constexpr bool SameString(const char* a, const char* b) {
  return *a == *b && (*a == '\0' || SameString(a + 1, b + 1));
}
}  // namespace
static_assert(SameString(OVERSIGHT_STR(ABSL_OPTION_INLINE_NAMESPACE_NAME),
                         OVERSIGHT_ABSL_NS),
              "update OVERSIGHT_ABSL_NS and the length before it below");
#define MUTEX_FN(name) "_ZN4absl7" OVERSIGHT_ABSL_NS "5Mutex" name
#define CONDVAR_FN(name) "_ZN4absl7" OVERSIGHT_ABSL_NS "7CondVar" name
#define NOTIFICATION_FN(name) \
  "_ZN4absl7" OVERSIGHT_ABSL_NS "12Notification" name
#define NOTIFICATION_CONST_FN(name) \
  "_ZNK4absl7" OVERSIGHT_ABSL_NS "12Notification" name
// Mangled argument types: Condition const&, Duration, Time, Mutex*.
#define COND "RKNS0_9ConditionE"
#define DURATION "NS0_8DurationE"
#define TIME "NS0_4TimeE"

namespace absl {
ABSL_NAMESPACE_BEGIN

void Mutex::Lock() {
  static auto real = Real<void (*)(Mutex*)>(MUTEX_FN("4LockEv"));
  real(this);
  Acquire(this);
}

void Mutex::ReaderLock() {
  static auto real = Real<void (*)(Mutex*)>(MUTEX_FN("10ReaderLockEv"));
  real(this);
  Acquire(this);
}

bool Mutex::TryLock() {
  static auto real = Real<bool (*)(Mutex*)>(MUTEX_FN("7TryLockEv"));
  const bool locked = real(this);
  if (locked) Acquire(this);
  return locked;
}

bool Mutex::ReaderTryLock() {
  static auto real = Real<bool (*)(Mutex*)>(MUTEX_FN("13ReaderTryLockEv"));
  const bool locked = real(this);
  if (locked) Acquire(this);
  return locked;
}

void Mutex::Unlock() {
  static auto real = Real<void (*)(Mutex*)>(MUTEX_FN("6UnlockEv"));
  Release(this);
  real(this);
}

void Mutex::ReaderUnlock() {
  static auto real = Real<void (*)(Mutex*)>(MUTEX_FN("12ReaderUnlockEv"));
  Release(this);
  real(this);
}

void Mutex::LockWhen(const Condition& cond) {
  static auto real =
      Real<void (*)(Mutex*, const Condition&)>(MUTEX_FN("8LockWhenE" COND));
  real(this, cond);
  Acquire(this);
}

void Mutex::ReaderLockWhen(const Condition& cond) {
  static auto real = Real<void (*)(Mutex*, const Condition&)>(
      MUTEX_FN("14ReaderLockWhenE" COND));
  real(this, cond);
  Acquire(this);
}

bool Mutex::LockWhenWithTimeout(const Condition& cond, absl::Duration t) {
  static auto real = Real<bool (*)(Mutex*, const Condition&, absl::Duration)>(
      MUTEX_FN("19LockWhenWithTimeoutE" COND DURATION));
  const bool met = real(this, cond, t);
  Acquire(this);  // held on return either way
  return met;
}

bool Mutex::ReaderLockWhenWithTimeout(const Condition& cond, absl::Duration t) {
  static auto real = Real<bool (*)(Mutex*, const Condition&, absl::Duration)>(
      MUTEX_FN("25ReaderLockWhenWithTimeoutE" COND DURATION));
  const bool met = real(this, cond, t);
  Acquire(this);
  return met;
}

bool Mutex::LockWhenWithDeadline(const Condition& cond, absl::Time d) {
  static auto real = Real<bool (*)(Mutex*, const Condition&, absl::Time)>(
      MUTEX_FN("20LockWhenWithDeadlineE" COND TIME));
  const bool met = real(this, cond, d);
  Acquire(this);
  return met;
}

bool Mutex::ReaderLockWhenWithDeadline(const Condition& cond, absl::Time d) {
  static auto real = Real<bool (*)(Mutex*, const Condition&, absl::Time)>(
      MUTEX_FN("26ReaderLockWhenWithDeadlineE" COND TIME));
  const bool met = real(this, cond, d);
  Acquire(this);
  return met;
}

void Mutex::Await(const Condition& cond) {
  static auto real =
      Real<void (*)(Mutex*, const Condition&)>(MUTEX_FN("5AwaitE" COND));
  Release(this);
  real(this, cond);
  Acquire(this);
}

bool Mutex::AwaitWithTimeout(const Condition& cond, absl::Duration t) {
  static auto real = Real<bool (*)(Mutex*, const Condition&, absl::Duration)>(
      MUTEX_FN("16AwaitWithTimeoutE" COND DURATION));
  Release(this);
  const bool met = real(this, cond, t);
  Acquire(this);
  return met;
}

bool Mutex::AwaitWithDeadline(const Condition& cond, absl::Time d) {
  static auto real = Real<bool (*)(Mutex*, const Condition&, absl::Time)>(
      MUTEX_FN("17AwaitWithDeadlineE" COND TIME));
  Release(this);
  const bool met = real(this, cond, d);
  Acquire(this);
  return met;
}

bool Condition::Eval() const {
  static auto real = Real<bool (*)(const Condition*)>(
      "_ZNK4absl7" OVERSIGHT_ABSL_NS "9Condition4EvalEv");
  if (AnnotateIgnoreReadsBegin != nullptr) {
    AnnotateIgnoreReadsBegin(__FILE__, __LINE__);
  }
  const bool met = real(this);
  if (AnnotateIgnoreReadsEnd != nullptr) {
    AnnotateIgnoreReadsEnd(__FILE__, __LINE__);
  }
  return met;
}

void CondVar::Wait(Mutex* mu) {
  static auto real =
      Real<void (*)(CondVar*, Mutex*)>(CONDVAR_FN("4WaitEPNS0_5MutexE"));
  Release(mu);
  real(this, mu);
  Acquire(mu);
}

bool CondVar::WaitWithTimeout(Mutex* mu, absl::Duration t) {
  static auto real = Real<bool (*)(CondVar*, Mutex*, absl::Duration)>(
      CONDVAR_FN("15WaitWithTimeoutEPNS0_5MutexE" DURATION));
  Release(mu);
  const bool signalled = real(this, mu, t);
  Acquire(mu);
  return signalled;
}

bool CondVar::WaitWithDeadline(Mutex* mu, absl::Time d) {
  static auto real = Real<bool (*)(CondVar*, Mutex*, absl::Time)>(
      CONDVAR_FN("16WaitWithDeadlineEPNS0_5MutexE" TIME));
  Release(mu);
  const bool signalled = real(this, mu, d);
  Acquire(mu);
  return signalled;
}

void Notification::Notify() {
  static auto real =
      Real<void (*)(Notification*)>(NOTIFICATION_FN("6NotifyEv"));
  Release(this);
  real(this);
}

void Notification::WaitForNotification() const {
  static auto real = Real<void (*)(const Notification*)>(
      NOTIFICATION_CONST_FN("19WaitForNotificationEv"));
  real(this);
  Acquire(this);
}

bool Notification::WaitForNotificationWithTimeout(absl::Duration t) const {
  static auto real = Real<bool (*)(const Notification*, absl::Duration)>(
      NOTIFICATION_CONST_FN("30WaitForNotificationWithTimeoutE" DURATION));
  const bool notified = real(this, t);
  if (notified) Acquire(this);
  return notified;
}

bool Notification::WaitForNotificationWithDeadline(absl::Time d) const {
  static auto real = Real<bool (*)(const Notification*, absl::Time)>(
      NOTIFICATION_CONST_FN("31WaitForNotificationWithDeadlineE" TIME));
  const bool notified = real(this, d);
  if (notified) Acquire(this);
  return notified;
}

ABSL_NAMESPACE_END
}  // namespace absl

// gRPC hands a call's operations to its own threads and runs their
// completions (a reactor's OnWriteDone, OnReadDone, OnDone) on others,
// through queues and atomics ThreadSanitizer cannot see. gRPC promises
// that what a thread did before starting a batch of operations happens
// before their completion; the C++ API starts every batch with
// grpc_call_start_batch and, before running the completion's callback,
// drops the reference the batch took with grpc_call_unref. So: a release
// on the call before each batch starts, an acquire on it at each unref.
// (More unrefs than completions: an acquire too many only orders more.)
extern "C" grpc_call_error grpc_call_start_batch(grpc_call* call,
                                                 const grpc_op* ops,
                                                 size_t nops, void* tag,
                                                 void* reserved) {
  static auto real =
      Real<grpc_call_error (*)(grpc_call*, const grpc_op*, size_t, void*,
                               void*)>("grpc_call_start_batch");
  Release(call);
  return real(call, ops, nops, tag, reserved);
}

extern "C" void grpc_call_unref(grpc_call* call) {
  static auto real = Real<void (*)(grpc_call*)>("grpc_call_unref");
  Acquire(call);
  real(call);
}
