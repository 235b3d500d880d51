// EventStoreService: oversight.v1.EventStore over gRPC's callback API.
//
// Appends go straight to EventLog::AppendAsync and finish from the log's
// writer thread once durable, so no gRPC thread waits on an fsync. Reads,
// verification and subscription catch-up run on an Executor, so no gRPC
// thread waits on the disk either. Request fields are checked here and
// turned into log calls; the log's statuses are mapped to gRPC in
// status_mapping.h.
//
// Every handler first asks the gate (call_gate.h) who calls and whether
// its role may (authorization.h: appends are the operator's, reads the
// auditor's and the operator's); a streaming call is refused before its
// stream starts.
//
// Need-to-know (docs/security.md): raw reads and subscriptions give an
// OFFICIAL-SENSITIVE domain event the caller may not read (or reads
// without a justification) as `withheld`, without its data; an answer
// that carries sensitive content is recorded in the access log
// (access_log.h) before it is sent, and not sent when it cannot be.

#ifndef OVERSIGHT_SERVICES_EVENT_STORE_SERVICE_H_
#define OVERSIGHT_SERVICES_EVENT_STORE_SERVICE_H_

#include <functional>

#include "absl/time/time.h"
#include "eventstore/event_log.h"
#include "oversight/v1/eventstore.grpc.pb.h"
#include "services/access_log.h"
#include "services/call_gate.h"
#include "services/executor.h"
#include "services/raw_calls.h"

namespace oversight::services {

// The EventStore service with every method taking raw bytes (raw_calls.h).
using RawEventStoreService = v1::EventStore::WithRawCallbackMethod_Append<
    v1::EventStore::WithRawCallbackMethod_AppendStream<
        v1::EventStore::WithRawCallbackMethod_ReadStream<
            v1::EventStore::WithRawCallbackMethod_ReadAll<
                v1::EventStore::WithRawCallbackMethod_Subscribe<
                    v1::EventStore::WithRawCallbackMethod_GetHead<
                        v1::EventStore::WithRawCallbackMethod_VerifyChain<
                            v1::EventStore::Service>>>>>>>;

class EventStoreService final : public RawEventStoreService {
 public:
  // `log`, `executor` and `gate` must outlive the service and every call
  // on it. VerifyChain checks `verify_chunk` positions per executor task.
  // `clock` dates the access log's entries (default: absl::Now).
  EventStoreService(eventstore::EventLog* log, Executor* executor,
                    const CallGate* gate, uint64_t verify_chunk = 65536,
                    std::function<absl::Time()> clock = nullptr)
      : log_(log),
        executor_(executor),
        gate_(gate),
        verify_chunk_(verify_chunk < 1 ? 1 : verify_chunk),
        access_log_(log,
                    clock ? std::move(clock) : std::function<absl::Time()>([] {
                      return absl::Now();
                    })) {}

  grpc::ServerUnaryReactor* Append(grpc::CallbackServerContext* context,
                                   const grpc::ByteBuffer* raw_request,
                                   grpc::ByteBuffer* raw_response) override;
  grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* AppendStream(
      grpc::CallbackServerContext* context) override;
  grpc::ServerUnaryReactor* ReadStream(grpc::CallbackServerContext* context,
                                       const grpc::ByteBuffer* raw_request,
                                       grpc::ByteBuffer* raw_response) override;
  grpc::ServerUnaryReactor* ReadAll(grpc::CallbackServerContext* context,
                                    const grpc::ByteBuffer* raw_request,
                                    grpc::ByteBuffer* raw_response) override;
  grpc::ServerWriteReactor<grpc::ByteBuffer>* Subscribe(
      grpc::CallbackServerContext* context,
      const grpc::ByteBuffer* raw_request) override;
  grpc::ServerUnaryReactor* GetHead(grpc::CallbackServerContext* context,
                                    const grpc::ByteBuffer* raw_request,
                                    grpc::ByteBuffer* raw_response) override;
  grpc::ServerUnaryReactor* VerifyChain(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request,
      grpc::ByteBuffer* raw_response) override;

 private:
  void VerifyChunk(RawUnaryReactor* reactor,
                   grpc::CallbackServerContext* context,
                   v1::VerifyChainResponse* response,
                   eventstore::Position chunk_from, eventstore::Position to);

  eventstore::EventLog* const log_;
  Executor* const executor_;
  const CallGate* const gate_;
  const uint64_t verify_chunk_;
  const AccessLog access_log_;
};

}  // namespace oversight::services

#endif  // OVERSIGHT_SERVICES_EVENT_STORE_SERVICE_H_
