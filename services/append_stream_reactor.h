// The reactor behind oversight.v1.EventStore/AppendStream: many appends on
// one bidirectional stream, each answered by a response with its
// correlation id, in completion order. The method takes raw bytes
// (raw_calls.h): a request that is not an AppendStreamRequest has no
// correlation id to answer, so it ends the call, once the appends read
// before it are answered, with INVALID_ARGUMENT (MALFORMED_REQUEST).

#ifndef OVERSIGHT_SERVICES_APPEND_STREAM_REACTOR_H_
#define OVERSIGHT_SERVICES_APPEND_STREAM_REACTOR_H_

#include "eventstore/event_log.h"
#include "grpcpp/grpcpp.h"
#include "oversight/v1/eventstore.pb.h"

namespace oversight::services {

// At most this many appends of one stream may be submitted and not yet
// answered; the reactor stops reading until some are answered.
inline constexpr int kMaxUnansweredAppends = 256;

// Returns a reactor that gRPC owns (it deletes itself when done) for the
// call of `context`. `log` must outlive it.
grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>*
NewAppendStreamReactor(eventstore::EventLog* log,
                       grpc::CallbackServerContext* context);

}  // namespace oversight::services

#endif  // OVERSIGHT_SERVICES_APPEND_STREAM_REACTOR_H_
