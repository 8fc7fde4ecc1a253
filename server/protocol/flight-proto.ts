// Loads proto/flight.proto (Arrow Flight, package arrow.flight.protocol) with @grpc/proto-loader
// and names the TypeScript shapes of the messages zipflight reads and writes. int64 fields are
// decoded as strings (lossless) and may be written as numbers: protobufjs encodes -1 correctly.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

export const FLIGHT_PROTO_PATH = join(dirname(fileURLToPath(import.meta.url)), '../../proto/flight.proto');
const PACKAGE = 'arrow.flight.protocol';

/** Options shared by the server and by tests that decode our bytes independently. */
export const PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: String,
  bytes: Buffer,
  defaults: true,
  arrays: true,
  oneofs: true,
};

export type DescriptorType = 'UNKNOWN' | 'PATH' | 'CMD';

export interface FlightDescriptor {
  type: DescriptorType | number;
  cmd: Uint8Array;
  path: string[];
}

export interface Ticket {
  ticket: Uint8Array;
}

export interface FlightEndpoint {
  ticket: Ticket;
  location: { uri: string }[];
  app_metadata?: Uint8Array;
}

export interface FlightInfo {
  schema: Uint8Array;
  flight_descriptor: FlightDescriptor;
  endpoint: FlightEndpoint[];
  total_records: number | string;
  total_bytes: number | string;
  ordered: boolean;
  app_metadata: Uint8Array;
}

export interface Action {
  type: string;
  body: Uint8Array;
}

export interface ActionType {
  type: string;
  description: string;
}

export interface HandshakeMessage {
  protocol_version: number | string;
  payload: Uint8Array;
}

export const packageDefinition = protoLoader.loadSync(FLIGHT_PROTO_PATH, PROTO_LOADER_OPTIONS);

/** The FlightService definition as grpc-js wants it for `server.addService`. */
export function flightServiceDefinition(): grpc.ServiceDefinition {
  const pkg = grpc.loadPackageDefinition(packageDefinition) as unknown as {
    arrow: { flight: { protocol: { FlightService: { service: grpc.ServiceDefinition } } } };
  };
  return pkg.arrow.flight.protocol.FlightService.service;
}

/** A proto-loader message type by its short name, e.g. 'FlightData' (for tests and clients). */
export function messageType(name: string): protoLoader.MessageTypeDefinition<object, object> {
  return packageDefinition[`${PACKAGE}.${name}`] as protoLoader.MessageTypeDefinition<object, object>;
}
