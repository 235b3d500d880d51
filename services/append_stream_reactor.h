// The reactor behind oversight.v1.EventStore/AppendStream: many appends on
// one bidirectional stream, each answered by a response with its
// correlation id, in completion order.

#ifndef OVERSIGHT_SERVICES_APPEND_STREAM_REACTOR_H_
#define OVERSIGHT_SERVICES_APPEND_STREAM_REACTOR_H_

#include "eventstore/event_log.h"
#include "grpcpp/grpcpp.h"
#include "oversight/v1/eventstore.pb.h"

namespace oversight::services {

// At most this many appends of one stream may be submitted and not yet
// answered; the reactor stops reading until some are answered.
inline constexpr int kMaxUnansweredAppends = 256;

// Returns a reactor that gRPC owns (it deletes itself when done). `log`
// must outlive it.
grpc::ServerBidiReactor<v1::AppendStreamRequest, v1::AppendStreamResponse>*
NewAppendStreamReactor(eventstore::EventLog* log);

}  // namespace oversight::services

#endif  // OVERSIGHT_SERVICES_APPEND_STREAM_REACTOR_H_
