/**
 * Cases that pass without checking the service: what they check is the adapter's refusal of a feature, or their
 * stream is never created and their assertions hold for a missing stream too. They count as passes, and results.md
 * says why, so that a pass there is not read as the feature working.
 */
import { block } from "./report.ts";

const REFUSED =
  "passes on the adapter's refusal: it refuses the feature's headers with 400, the answer the case checks";
const NO_STREAM = "passes without a stream: the adapter refuses to create it, and the checks hold for a missing one";
const CONDITIONAL = "passes without the feature: its checks only apply when the feature exists";
const SWALLOWED = "passes without a stream: its read gets a 404, and its own try/catch swallows the failed assertion";

const refusedEitherWay = {
  ...block("TTL and Expiry Validation", {
    "should reject both TTL and Expires-At (400)": REFUSED,
    "should reject invalid TTL (non-integer)": REFUSED,
    "should reject negative TTL": REFUSED,
  }),
  ...block("TTL and Expiry Edge Cases", {
    "should reject TTL with leading zeros": REFUSED,
    "should reject TTL with plus sign": REFUSED,
    "should reject TTL with float value": REFUSED,
    "should reject TTL with scientific notation": REFUSED,
    "should reject invalid Expires-At timestamp": REFUSED,
  }),
  ...block("HEAD Metadata Edge Cases", { "should return Expires-At metadata if configured": CONDITIONAL }),
  ...block("Idempotent Producer Operations", {
    "should reject invalid JSON with producer headers": REFUSED,
    "should reject empty JSON array with producer headers": REFUSED,
  }),
  ...block("Fork - Creation", {
    "should return 400 when forking at offset beyond stream length": REFUSED,
    "should return 400 when binary sub-offset overshoots message length": REFUSED,
    "should return 400 when JSON sub-offset overshoots message count": REFUSED,
    "should return 400 for malformed sub-offset values": REFUSED,
    "should return 400 when sub-offset > 0 is supplied without Stream-Fork-Offset": REFUSED,
    "should return 400 when Stream-Fork-Sub-Offset is supplied without Stream-Forked-From (even when value is 0)":
      REFUSED,
    "should return 400 when sub-offset is supplied on an empty source stream": REFUSED,
  }),
  ...block("Fork - Reading", {
    "should NOT include fork headers on HEAD/GET/PUT responses (forks are transparent)": CONDITIONAL,
  }),
  ...block("Fork - TTL and Expiry", { "should expire source with living forks (source goes 410)": NO_STREAM }),
};

/** In a JSON-only run, where streams of other content types are refused too. */
export const vacuousPasses: Readonly<Record<string, string>> = {
  ...refusedEitherWay,
  ...block("Offset Validation and Resumability", { "should return correct tail offset for offset=now": NO_STREAM }),
  ...block("Property-Based Tests (fast-check) > Immutability Properties", {
    "data at offset never changes after additional appends": NO_STREAM,
  }),
  ...block("Property-Based Tests (fast-check) > State Hash Verification", {
    "replay produces identical content hash": NO_STREAM,
    "deterministic ordering - same data in same order produces same hash": NO_STREAM,
  }),
  ...block("Stream Closure > SSE with Stream Closure", {
    "sse-closed-stream-connection-closes: Connection closes after final event": SWALLOWED,
  }),
};

/** With byte streams, where those streams exist and get as far as the feature's headers. */
export const vacuousPassesWithByteStreams: Readonly<Record<string, string>> = {
  ...refusedEitherWay,
  ...block("Idempotent Producer Operations", {
    "should reject epoch increase with seq != 0": REFUSED,
    "should require all producer headers together": REFUSED,
    "should return 400 for empty body": REFUSED,
    "should reject empty Producer-Id": REFUSED,
  }),
  ...block("Fork - Deletion and Lifecycle", { "should keep source alive when all forks are deleted": CONDITIONAL }),
};
