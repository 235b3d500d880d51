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

namespace oversight::services {

class EventStoreService final : public v1::EventStore::CallbackService {
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
                                   const v1::AppendRequest* request,
                                   v1::AppendResponse* response) override;
  grpc::ServerBidiReactor<v1::AppendStreamRequest, v1::AppendStreamResponse>*
  AppendStream(grpc::CallbackServerContext* context) override;
  grpc::ServerUnaryReactor* ReadStream(
      grpc::CallbackServerContext* context,
      const v1::ReadStreamRequest* request,
      v1::ReadStreamResponse* response) override;
  grpc::ServerUnaryReactor* ReadAll(grpc::CallbackServerContext* context,
                                    const v1::ReadAllRequest* request,
                                    v1::ReadAllResponse* response) override;
  grpc::ServerWriteReactor<v1::SubscribeResponse>* Subscribe(
      grpc::CallbackServerContext* context,
      const v1::SubscribeRequest* request) override;
  grpc::ServerUnaryReactor* GetHead(grpc::CallbackServerContext* context,
                                    const v1::GetHeadRequest* request,
                                    v1::GetHeadResponse* response) override;
  grpc::ServerUnaryReactor* VerifyChain(
      grpc::CallbackServerContext* context,
      const v1::VerifyChainRequest* request,
      v1::VerifyChainResponse* response) override;

 private:
  void VerifyChunk(grpc::ServerUnaryReactor* reactor,
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
