/**
 * What a route of the Unix socket is: one file per route under daemon/routes/, each a factory
 * that closes over the daemon's deps and returns this shape. The pipeline (pipeline.ts) owns
 * identification, the audit row and the answer; a route owns its decision and returns its audit
 * facts with its JSON answer.
 */
import type { Handler } from './pipeline.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** A JSON answer on the socket. */
export interface JsonAnswer {
  status: number;
  body: unknown;
  /** Runs after the response is written (e.g. shutdown). */
  after?: () => void;
}

export interface Route extends Handler<JsonAnswer> {
  method: Method;
  /** Path with `:name` segments, e.g. `/v1/secrets/:name`. */
  pattern: string;
}
