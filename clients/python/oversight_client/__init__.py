"""A small client for Oversight's gRPC API (package oversight.v1).

    import oversight_client as oc
    with oc.connect("127.0.0.1:50051", "certs/paladin.pem",
                    "certs/paladin.key", "certs/ca.pem") as client:
        view = client.call(client.queries.GetPartnerView,
                           oc.queries_pb2.GetPartnerViewRequest(agency_id="paladin"))

It needs Debian's python3-grpcio and python3-protobuf (run it with
/usr/bin/python3) and the generated modules oversight.v1.*_pb2, which the
build makes from proto/oversight/v1/*.proto (target
oversight_python_client) into BUILD/clients/python: put that directory on
PYTHONPATH. Nothing generated is kept in the source tree.

What it adds to the generated stubs:

- connect(): one mutual-TLS channel with the agency's certificate and the
  three services' stubs (Commands, Queries, EventStore);
- call_metadata(): the call metadata the server reads (oversight-actor,
  oversight-justification, oversight-on-behalf-of), switching to the
  binary "-bin" header for text that is not printable ASCII, as the server
  requires (docs/security.md);
- Client.call() / Client.subscribe(): a deadline on every unary call, and
  every refusal turned into an OversightError that prints as one line,
  "PERMISSION_DENIED (NOT_OWN_AGENCY): ...", with the gRPC status code and
  the reason the server sends in the oversight-reason trailer
  (docs/api.md#errors);
- agency_of_certificate(): the agency and role a certificate names.
"""

import ssl

import grpc

try:
    from oversight.v1 import commands_pb2
    from oversight.v1 import commands_pb2_grpc
    from oversight.v1 import domain_pb2
    from oversight.v1 import eventstore_pb2
    from oversight.v1 import eventstore_pb2_grpc
    from oversight.v1 import queries_pb2
    from oversight.v1 import queries_pb2_grpc
except ImportError as error:  # pragma: no cover - a setup mistake
    raise ImportError(
        "oversight_client: the generated modules oversight.v1.*_pb2 were not "
        "found ({}). Build them (ninja -C build oversight_python_client) and "
        "put BUILD/clients/python on PYTHONPATH, e.g. "
        "PYTHONPATH=build/clients/python /usr/bin/python3 ...".format(error)
    ) from error

__all__ = [
    "Client", "OversightError", "connect", "call_metadata",
    "agency_of_certificate", "commands_pb2", "domain_pb2",
    "eventstore_pb2", "queries_pb2", "DEFAULT_TIMEOUT_SECONDS",
    "EXIT_REFUSED", "EXIT_UNREACHABLE",
]

# Every unary call gets a deadline (docs/api.md: clients should set one).
DEFAULT_TIMEOUT_SECONDS = 10.0

# Exit codes, as the oversight CLI's: 1 the server refused or failed the
# call, 3 the server could not be reached or the deadline passed.
EXIT_REFUSED = 1
EXIT_UNREACHABLE = 3

REASON_KEY = "oversight-reason"


class OversightError(Exception):
    """A call the server refused or that failed, as one line of text.

    code: the gRPC status code's name ("PERMISSION_DENIED");
    reason: the server's stable reason from the oversight-reason trailer
        ("NOT_OWN_AGENCY"), or None when there is none (a refused TLS
        handshake, an unreachable server, a deadline passed on the client);
    details: the server's message.
    """

    def __init__(self, code, reason, details):
        self.code = code
        self.reason = reason
        self.details = details
        super().__init__(str(self))

    def __str__(self):
        head = self.code if not self.reason else "{} ({})".format(
            self.code, self.reason)
        return "{}: {}".format(head, self.details) if self.details else head

    @property
    def exit_code(self):
        """EXIT_UNREACHABLE when the server was not reached or did not
        answer in time, else EXIT_REFUSED."""
        if self.code == "DEADLINE_EXCEEDED":
            return EXIT_UNREACHABLE
        if self.code == "UNAVAILABLE" and not self.reason:
            return EXIT_UNREACHABLE
        return EXIT_REFUSED

    @classmethod
    def from_rpc_error(cls, error):
        """Turns a grpc.RpcError (which is also a grpc.Call) into an
        OversightError."""
        code = error.code() if hasattr(error, "code") else None
        name = code.name if code is not None else "UNKNOWN"
        details = error.details() if hasattr(error, "details") else str(error)
        reason = None
        trailers = (error.trailing_metadata()
                    if hasattr(error, "trailing_metadata") else None)
        for key, value in trailers or ():
            if key == REASON_KEY:
                reason = value.decode() if isinstance(value, bytes) else value
        return cls(name, reason, details or "")


def _printable_ascii(text):
    return all(0x20 <= ord(c) <= 0x7E for c in text)


def _text_header(key, text):
    """(key, text) when text is printable ASCII, else (key-bin, UTF-8)."""
    if _printable_ascii(text):
        return (key, text)
    return (key + "-bin", text.encode("utf-8"))


def call_metadata(actor=None, justification=None, on_behalf_of=None):
    """The call metadata the server reads, as a list of (key, value):

    actor: the person within the agency who acts (oversight-actor); without
        it the server takes the certificate's common name;
    justification: why sensitive content is read (oversight-justification),
        needed only to read OFFICIAL-SENSITIVE events one is entitled to;
    on_behalf_of: the agency an importer records for (importers only).

    Text that is not printable ASCII ("Siân Jones", Welsh) goes in the
    binary header (oversight-actor-bin, oversight-justification-bin) as
    UTF-8, which gRPC base64-encodes on the wire.
    """
    metadata = []
    if actor:
        metadata.append(_text_header("oversight-actor", actor))
    if justification:
        metadata.append(_text_header("oversight-justification", justification))
    if on_behalf_of:
        metadata.append(("oversight-on-behalf-of", on_behalf_of))
    return metadata


def agency_of_certificate(cert_path):
    """(agency, role) from the one URI name of a client certificate
    (spiffe://DOMAIN/agency/AGENCY/role/ROLE), as the server reads it; None
    when the certificate has no such name or cannot be decoded here."""
    try:
        # CPython's own certificate decoder (the ssl module uses it for
        # getpeercert()); no third-party X.509 library is needed.
        decoded = ssl._ssl._test_decode_cert(cert_path)  # pylint: disable=protected-access
    except (AttributeError, ssl.SSLError, OSError):
        return None
    uris = [v for k, v in decoded.get("subjectAltName", ()) if k == "URI"]
    if len(uris) != 1:
        return None
    parts = uris[0].split("/")
    # ['spiffe:', '', DOMAIN, 'agency', AGENCY, 'role', ROLE]
    if (len(parts) != 7 or parts[0] != "spiffe:" or parts[3] != "agency"
            or parts[5] != "role"):
        return None
    return parts[4], parts[6]


class Client:
    """A channel to oversightd and the stubs of its three services.

    commands, queries, event_store: the generated stubs, usable directly;
    call(), follow_history() and subscribe() add the deadline, the metadata
    and the error mapping.
    """

    def __init__(self, channel, timeout=DEFAULT_TIMEOUT_SECONDS, actor=None,
                 justification=None):
        self.channel = channel
        self.timeout = timeout
        self.actor = actor
        self.justification = justification
        self.commands = commands_pb2_grpc.CommandsStub(channel)
        self.queries = queries_pb2_grpc.QueriesStub(channel)
        self.event_store = eventstore_pb2_grpc.EventStoreStub(channel)

    def metadata(self, on_behalf_of=None):
        return call_metadata(actor=self.actor,
                             justification=self.justification,
                             on_behalf_of=on_behalf_of)

    def call(self, rpc, request, timeout=None, on_behalf_of=None):
        """Calls the unary `rpc` (a stub method, e.g.
        client.commands.SubmitPartnerReport) with a deadline and this
        client's metadata; raises OversightError when it fails."""
        try:
            return rpc(request,
                       timeout=self.timeout if timeout is None else timeout,
                       metadata=self.metadata(on_behalf_of))
        except grpc.RpcError as error:
            raise OversightError.from_rpc_error(error) from None

    def follow_history(self, request, timeout=None):
        """Queries.FollowHistory with `request` (a FollowHistoryRequest:
        ListHistory's subject filters and `after_position`, the last
        `caught_up_to` saved): yields FollowHistoryResponse messages, first
        the history recorded after that position, then a message with no
        entries (caught up), then what is recorded next as it is, until the
        caller stops iterating (close the generator, or leave a `with
        contextlib.closing(...)`, to cancel the call), `timeout` seconds
        pass (None: no deadline) or the server ends the call. Each message's
        `caught_up_to` is the position to save and resume after. Open to the
        roles that may call ListHistory, partners included (a partner's own
        agency: agency_id); a refusal is raised as an OversightError when
        the first message is read.

        This is how a partner follows the log: EventStore.Subscribe shows
        raw records and is for auditors and the operator only
        (docs/security.md#authorisation)."""
        stream = self.queries.FollowHistory(request, timeout=timeout,
                                            metadata=self.metadata())
        try:
            for response in stream:
                yield response
        except grpc.RpcError as error:
            raise OversightError.from_rpc_error(error) from None
        finally:
            stream.cancel()

    def subscribe(self, from_position=1, event_filter=None):
        """EventStore.Subscribe from `from_position` (the last position
        processed plus one): yields SubscribeResponse messages, events and
        then caught_up, until the caller stops iterating or the server
        ends the call. Auditors and the operator only: any other role is
        refused PERMISSION_DENIED (ROLE_NOT_ALLOWED), raised here as an
        OversightError when the first message is read."""
        request = eventstore_pb2.SubscribeRequest(from_position=from_position)
        if event_filter is not None:
            request.filter.CopyFrom(event_filter)
        stream = self.event_store.Subscribe(request, metadata=self.metadata())
        try:
            for response in stream:
                yield response
        except grpc.RpcError as error:
            raise OversightError.from_rpc_error(error) from None
        finally:
            stream.cancel()

    def close(self):
        self.channel.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _read(path, what):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as error:
        raise OSError("cannot read the {} {}: {}".format(
            what, path, error.strerror)) from None


def connect(server, cert, key, ca, server_name=None,
            timeout=DEFAULT_TIMEOUT_SECONDS, actor=None, justification=None):
    """A Client on a mutual-TLS channel to `server` ("host:port").

    cert, key: the agency's client certificate and its private key (PEM
        files); the certificate's URI name says the agency and role;
    ca: the CA that signed the server's certificate (PEM file);
    server_name: the name to check the server's certificate against, when
        it is not the host dialled;
    actor, justification: sent with every call (see call_metadata()).

    gRPC connects lazily: an unreachable server or a refused handshake
    shows on the first call as OversightError UNAVAILABLE.
    """
    credentials = grpc.ssl_channel_credentials(
        root_certificates=_read(ca, "CA certificate"),
        private_key=_read(key, "private key"),
        certificate_chain=_read(cert, "client certificate"))
    options = []
    if server_name:
        options.append(("grpc.ssl_target_name_override", server_name))
    channel = grpc.secure_channel(server, credentials, options=options)
    return Client(channel, timeout=timeout, actor=actor,
                  justification=justification)
