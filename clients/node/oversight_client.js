'use strict';
// A small client for Oversight's gRPC API (package oversight.v1) over
// mutual TLS, with @grpc/grpc-js. The API is loaded at run time from the
// project's proto/oversight/v1/*.proto (@grpc/proto-loader): nothing is
// generated. Node 18 or later.
//
//   const oc = require('./oversight_client');
//   const client = oc.connect({server: '127.0.0.1:50051', cert: 'certs/paladin.pem',
//                              key: 'certs/paladin.key', ca: 'certs/ca.pem'});
//   const view = await client.call('queries', 'GetPartnerView', {agency_id: 'paladin'});
//
// Messages are plain objects with the proto's own field names
// (snake_case), enums as their names ('CLASSIFICATION_OFFICIAL'), 64-bit
// integers as decimal strings ('168'), as in the JSON import files.
//
// What it adds to the stubs: connect() (one channel, the three services),
// callMetadata() (oversight-actor, oversight-justification,
// oversight-on-behalf-of, in the binary '-bin' header when not printable
// ASCII), a deadline on every unary call, and every refusal as an
// OversightError that prints as one line, 'PERMISSION_DENIED
// (NOT_OWN_AGENCY): ...': the gRPC status code and the reason the server
// sends in the oversight-reason trailer (docs/api.md#errors).

const crypto = require('crypto');
const fs = require('fs');
const net = require('net');
const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

// proto/ of this repository; $OVERSIGHT_PROTO_DIR elsewhere.
const PROTO_DIR = process.env.OVERSIGHT_PROTO_DIR ||
    path.resolve(__dirname, '..', '..', 'proto');
const PROTO_FILES = ['commands', 'queries', 'eventstore', 'domain'].map(
    (name) => `oversight/v1/${name}.proto`);

// Every unary call gets a deadline (docs/api.md: clients should set one).
const DEFAULT_TIMEOUT_SECONDS = 10;
// Exit codes, as the oversight CLI's.
const EXIT_REFUSED = 1;
const EXIT_UNREACHABLE = 3;
const REASON_KEY = 'oversight-reason';

let loaded = null;
// The oversight.v1 package: service constructors and message types.
function api() {
  if (loaded === null) {
    const definition = protoLoader.loadSync(PROTO_FILES, {
      includeDirs: [PROTO_DIR],
      keepCase: true,
      longs: String,
      enums: String,
      defaults: true,
      oneofs: true,
    });
    loaded = grpc.loadPackageDefinition(definition).oversight.v1;
  }
  return loaded;
}

class OversightError extends Error {
  // code: the gRPC status code's name ('PERMISSION_DENIED'); reason: the
  // server's reason from the oversight-reason trailer, or null (a refused
  // handshake, an unreachable server, a deadline passed on the client);
  // details: the server's message.
  constructor(code, reason, details) {
    const head = reason ? `${code} (${reason})` : code;
    super(details ? `${head}: ${details}` : head);
    this.name = 'OversightError';
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  // EXIT_UNREACHABLE when the server was not reached or did not answer in
  // time, else EXIT_REFUSED.
  get exitCode() {
    if (this.code === 'DEADLINE_EXCEEDED') return EXIT_UNREACHABLE;
    if (this.code === 'UNAVAILABLE' && !this.reason) return EXIT_UNREACHABLE;
    return EXIT_REFUSED;
  }

  // From a grpc-js ServiceError (code, details, metadata = trailers).
  static fromServiceError(error) {
    const name = grpc.status[error.code] || 'UNKNOWN';
    let reason = null;
    if (error.metadata) {
      const values = error.metadata.get(REASON_KEY);
      if (values.length > 0) reason = values[0].toString();
    }
    return new OversightError(name, reason, error.details || '');
  }
}

function printableAscii(text) {
  return /^[\x20-\x7e]*$/.test(text);
}

// The call metadata the server reads (docs/security.md): actor, the person
// acting (else the certificate's common name); justification, why
// sensitive content is read; onBehalfOf, the agency an importer records
// for. Text that is not printable ASCII goes in the '-bin' header as UTF-8.
function callMetadata({actor, justification, onBehalfOf} = {}) {
  const metadata = new grpc.Metadata();
  const text = (key, value) => {
    if (printableAscii(value)) metadata.set(key, value);
    else metadata.set(`${key}-bin`, Buffer.from(value, 'utf8'));
  };
  if (actor) text('oversight-actor', actor);
  if (justification) text('oversight-justification', justification);
  if (onBehalfOf) metadata.set('oversight-on-behalf-of', onBehalfOf);
  return metadata;
}

// {agency, role} from the one URI name of a client certificate
// (spiffe://DOMAIN/agency/AGENCY/role/ROLE), as the server reads it; null
// when there is no such name.
function agencyOfCertificate(certPath) {
  const certificate = new crypto.X509Certificate(fs.readFileSync(certPath));
  const uris = (certificate.subjectAltName || '').split(', ')
      .filter((name) => name.startsWith('URI:'))
      .map((name) => name.slice(4));
  if (uris.length !== 1) return null;
  const match = /^spiffe:\/\/[^/]+\/agency\/([^/]+)\/role\/([^/]+)$/.exec(uris[0]);
  return match ? {agency: match[1], role: match[2]} : null;
}

function readFile(file, what) {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    throw new Error(`cannot read the ${what} ${file}: ${error.message}`);
  }
}

class Client {
  constructor(commands, queries, eventStore, {timeoutSeconds, actor, justification}) {
    // The generated stubs, usable directly; call(), followHistory() and
    // subscribe() add the deadline, the metadata and the error mapping.
    this.commands = commands;
    this.queries = queries;
    this.eventStore = eventStore;
    this.timeoutSeconds = timeoutSeconds;
    this.actor = actor;
    this.justification = justification;
  }

  metadata(onBehalfOf) {
    return callMetadata({actor: this.actor, justification: this.justification, onBehalfOf});
  }

  // Calls the unary `method` of `service` ('commands', 'queries' or
  // 'eventStore') with a deadline; resolves to the response or rejects
  // with an OversightError.
  call(service, method, request, {timeoutSeconds, onBehalfOf} = {}) {
    const stub = this[service];
    const seconds = timeoutSeconds === undefined ? this.timeoutSeconds : timeoutSeconds;
    const deadline = new Date(Date.now() + seconds * 1000);
    return new Promise((resolve, reject) => {
      stub[method](request, this.metadata(onBehalfOf), {deadline}, (error, response) => {
        if (error) reject(OversightError.fromServiceError(error));
        else resolve(response);
      });
    });
  }

  // Queries.FollowHistory with `request` (ListHistory's subject filters and
  // `after_position`, the last `caught_up_to` saved): an async iterator of
  // FollowHistoryResponse objects, first the history recorded after that
  // position, then one with no entries (caught up), then what is recorded
  // next as it is, until the caller stops iterating (which cancels the
  // call), `timeoutSeconds` pass (undefined: no deadline) or the server
  // ends the call. Each message's `caught_up_to` is the position to save
  // and resume after. Open to the roles that may call ListHistory,
  // partners included (their own agency: agency_id); a refusal is thrown
  // as an OversightError when the first message is awaited. This is how a
  // partner follows the log: EventStore.Subscribe shows raw records and is
  // for auditors and the operator only (docs/security.md#authorisation).
  async* followHistory(request, {timeoutSeconds} = {}) {
    const options = {};
    if (timeoutSeconds !== undefined) {
      options.deadline = new Date(Date.now() + timeoutSeconds * 1000);
    }
    const stream = this.queries.FollowHistory(request, this.metadata(), options);
    try {
      for await (const response of stream) yield response;
    } catch (error) {
      throw error.code !== undefined ? OversightError.fromServiceError(error) : error;
    } finally {
      stream.cancel();
    }
  }

  // EventStore.Subscribe from `fromPosition` (the last position processed
  // plus one): an async iterator of SubscribeResponse objects (events,
  // then caught_up). Auditors and the operator only: any other role is
  // refused PERMISSION_DENIED (ROLE_NOT_ALLOWED), thrown as an
  // OversightError when the first message is awaited.
  async* subscribe(fromPosition = 1, filter = undefined) {
    const request = {from_position: String(fromPosition)};
    if (filter) request.filter = filter;
    const stream = this.eventStore.Subscribe(request, this.metadata());
    try {
      for await (const response of stream) yield response;
    } catch (error) {
      throw error.code !== undefined ? OversightError.fromServiceError(error) : error;
    } finally {
      stream.cancel();
    }
  }

  close() {
    this.commands.close();
  }
}

// grpc-js sends the host dialled as the TLS server name (SNI) even when it
// is an IP address, which Node warns about once per process (DEP0123;
// grpc/grpc-node#1919). The certificate is still checked against the
// address, and oversightd needs no SNI, so only that one warning is left
// out, and only when an IP address is dialled; every other warning is
// printed as before.
let ipServerNameWarningFiltered = false;
function filterIpServerNameWarning() {
  if (ipServerNameWarningFiltered) return;
  ipServerNameWarningFiltered = true;
  const listeners = process.listeners('warning');
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.code === 'DEP0123') return;
    for (const listener of listeners) listener.call(process, warning);
  });
}

function hostOf(server) {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(server);
  if (bracketed) return bracketed[1];
  const colon = server.lastIndexOf(':');
  return colon > 0 && server.indexOf(':') === colon ? server.slice(0, colon) : server;
}

// A Client on a mutual-TLS channel to `server` ('host:port'). cert, key:
// the agency's client certificate and private key (PEM files); ca: the CA
// that signed the server's certificate; serverName: the name to check the
// server's certificate against when it is not the host dialled. gRPC
// connects lazily: an unreachable server or a refused handshake shows on
// the first call as UNAVAILABLE.
function connect({server, cert, key, ca, serverName, timeoutSeconds = DEFAULT_TIMEOUT_SECONDS,
  actor, justification}) {
  const credentials = grpc.credentials.createSsl(
      readFile(ca, 'CA certificate'), readFile(key, 'private key'),
      readFile(cert, 'client certificate'));
  const options = {};
  if (serverName) options['grpc.ssl_target_name_override'] = serverName;
  else if (net.isIP(hostOf(server))) filterIpServerNameWarning();
  const v1 = api();
  const commands = new v1.Commands(server, credentials, options);
  // The three stubs share one channel.
  const shared = {...options, channelOverride: commands.getChannel()};
  const queries = new v1.Queries(server, credentials, shared);
  const eventStore = new v1.EventStore(server, credentials, shared);
  return new Client(commands, queries, eventStore, {timeoutSeconds, actor, justification});
}

// A google.protobuf.Timestamp ({seconds, nanos}) as protobuf's JSON
// mapping writes it: RFC 3339 in UTC, with 0, 3, 6 or 9 fractional digits.
function timestampToString(timestamp) {
  if (!timestamp) return '-';
  const seconds = BigInt(timestamp.seconds || 0);
  const nanos = timestamp.nanos || 0;
  const whole = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  if (nanos === 0) return `${whole}Z`;
  let fraction = String(nanos).padStart(9, '0');
  if (fraction.endsWith('000000')) fraction = fraction.slice(0, 3);
  else if (fraction.endsWith('000')) fraction = fraction.slice(0, 6);
  return `${whole}.${fraction}Z`;
}

module.exports = {
  Client,
  OversightError,
  agencyOfCertificate,
  api,
  callMetadata,
  connect,
  timestampToString,
  DEFAULT_TIMEOUT_SECONDS,
  EXIT_REFUSED,
  EXIT_UNREACHABLE,
  PROTO_DIR,
};
