/** Bindings the workerd tests run with (vitest.config.ts); the values are for tests only. */
export const TEST_TOKENS = "acme:acme-token-0001,globex:globex-token-0002,initech:initech-token-0003";
export const ACME_TOKEN = "acme-token-0001";
export const GLOBEX_TOKEN = "globex-token-0002";
/** A tenant of its own for the usage rollups' tests, whose totals no other test's sessions may add to. */
export const INITECH_TOKEN = "initech-token-0003";
/** whsec_ + base64 of 32 fixed bytes. */
export const TEST_WEBHOOK_SECRET = `whsec_${Buffer.from("provider-sessions-test-secret-32").toString("base64")}`;
export const TEST_READ_TOKEN_SECRET = "test-read-token-secret-of-32-characters-or-more";
