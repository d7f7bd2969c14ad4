/**
 * Who may call the service: the tenants' API tokens (API_TOKENS), the keys that sign and verify read tokens
 * (READ_TOKEN_SECRET), and the other origins a browser may call from (CORS_ORIGINS).
 */
import { createHash } from "node:crypto";
import { ConfigError, type ConfigIssue, type ConfigSource, variableText } from "./config-source.ts";

export interface TenantToken {
  tenant: string;
  token: string;
}

const TENANT = /^[A-Za-z0-9_.-]{1,64}$/;
/** What read tokens start with: a bearer token of this shape is checked as one. */
export const READ_TOKEN_PREFIX = "rt1.";
/** RFC 6750 token characters; the same set Hono's bearer auth accepts. */
const TOKEN = /^[A-Za-z0-9._~+/-]+=*$/;

/** null when API_TOKENS is unset or empty: the service then fails closed. */
export function parseTenantTokens(source: ConfigSource): TenantToken[] | null {
  const raw = variableText(source.API_TOKENS);
  if (raw === "") return null;
  const issues: ConfigIssue[] = [];
  const invalid = (message: string) => issues.push({ variable: "API_TOKENS", kind: "invalid", message });
  const tokens: TenantToken[] = [];
  raw.split(",").forEach((pair, index) => {
    const separator = pair.indexOf(":");
    const tenant = pair.slice(0, separator).trim();
    const token = pair.slice(separator + 1).trim();
    if (separator < 0 || !TENANT.test(tenant) || !TOKEN.test(token) || token.length < 8) {
      invalid(
        `API_TOKENS entry ${index + 1} must be tenant:token (tenant: 1-64 of A-Z a-z 0-9 _ . -; token: at least 8 bearer-token characters)`,
      );
      return;
    }
    if (token.startsWith(READ_TOKEN_PREFIX)) {
      invalid(
        `API_TOKENS entry ${index + 1} starts with ${READ_TOKEN_PREFIX}, which marks a read token: it could never work`,
      );
      return;
    }
    if (tokens.some((known) => known.token === token)) {
      invalid(`API_TOKENS entry ${index + 1} reuses a token: each token must name one tenant`);
    }
    tokens.push({ tenant, token });
  });
  if (issues.length > 0) throw new ConfigError(issues);
  return tokens;
}

/** At least this many characters: the HMAC key of read tokens must not be guessable. */
const MIN_READ_TOKEN_SECRET_LENGTH = 32;

/** One secret of READ_TOKEN_SECRET: its HMAC key, and the id a token names it by. */
export interface ReadTokenKey {
  kid: string;
  secret: Uint8Array;
}

/** The newest secret signs; every configured one verifies, so removing one revokes what it signed. */
export interface ReadTokenKeys {
  signing: ReadTokenKey;
  all: readonly ReadTokenKey[];
}

/**
 * The keys of READ_TOKEN_SECRET, comma-separated, newest first; null when it is unset (the read-token route then
 * answers 503).
 */
export function parseReadTokenSecret(source: ConfigSource): ReadTokenKeys | null {
  const raw = variableText(source.READ_TOKEN_SECRET);
  if (raw === "") return null;
  const secrets = raw.split(",").map((secret) => secret.trim());
  if (secrets.some((secret) => secret.length < MIN_READ_TOKEN_SECRET_LENGTH)) {
    throw new ConfigError([
      {
        variable: "READ_TOKEN_SECRET",
        kind: "invalid",
        message: `READ_TOKEN_SECRET must be one or more comma-separated secrets of at least ${MIN_READ_TOKEN_SECRET_LENGTH} characters`,
      },
    ]);
  }
  const keys = secrets.map((secret) => ({ kid: keyIdOf(secret), secret: new TextEncoder().encode(secret) }));
  return { signing: keys[0] as ReadTokenKey, all: keys };
}

/** A short public id of a secret: a hash prefix, which says nothing usable about the secret itself. */
function keyIdOf(secret: string): string {
  return createHash("sha256").update(`provider-sessions read-token key ${secret}`).digest("hex").slice(0, 12);
}

/**
 * Which other origins may call the API from a browser: none (the default: same origin only), a list of exact
 * origins, or any origin, and then with read tokens only.
 */
export type CorsPolicy = { kind: "same-origin" } | { kind: "listed"; origins: ReadonlySet<string> } | { kind: "any" };

export function parseCorsOrigins(source: ConfigSource): CorsPolicy {
  const raw = variableText(source.CORS_ORIGINS);
  if (raw === "") return { kind: "same-origin" };
  if (raw === "*") return { kind: "any" };
  const origins = raw.split(",").map((origin) => origin.trim());
  const invalid = origins.filter((origin) => !isOrigin(origin));
  if (invalid.length > 0) {
    throw new ConfigError([
      {
        variable: "CORS_ORIGINS",
        kind: "invalid",
        message: `CORS_ORIGINS must be *, or a comma-separated list of origins such as https://app.example.com (scheme, host and port only); ${invalid.length} entr${invalid.length === 1 ? "y is" : "ies are"} not`,
      },
    ]);
  }
  return { kind: "listed", origins: new Set(origins) };
}

/** An origin as a browser sends it: scheme://host[:port], lower case, nothing after. */
function isOrigin(value: string): boolean {
  if (!/^https?:\/\//.test(value) || !URL.canParse(value)) return false;
  return new URL(value).origin === value;
}
