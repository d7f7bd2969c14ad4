/** How the command says in one line what went wrong: its configuration, a problem answer, a service out of reach. */
import { describe, expect, it } from "vitest";
import { newThreadId } from "../support/api.ts";
import { CLI_ENV, cli } from "../support/cli.ts";
import { ORIGIN } from "../support/client-fetch.ts";

describe("configuration and connection errors", () => {
  it("names the missing variable", async () => {
    const noUrl = await cli(["ls"], { env: { PROVIDER_SESSIONS_TOKEN: "x" } });
    expect(noUrl).toMatchObject({ status: 2, stdout: "" });
    expect(noUrl.stderr).toMatch(/^provider-sessions: PROVIDER_SESSIONS_URL is not set .*\n$/);
    const noToken = await cli(["get", "t"], { env: { PROVIDER_SESSIONS_URL: ORIGIN } });
    expect(noToken.status).toBe(2);
    expect(noToken.stderr).toMatch(/^provider-sessions: PROVIDER_SESSIONS_TOKEN is not set.*\n$/);
    const notHttp = await cli(["ls"], { env: { ...CLI_ENV, PROVIDER_SESSIONS_URL: "localhost:8787" } });
    expect(notHttp.stderr).toContain("must start with http:// or https://");
  });

  it("turns a problem answer into one line with its status, title and a hint", async () => {
    const run = await cli(["ls"], { env: { ...CLI_ENV, PROVIDER_SESSIONS_TOKEN: "wrong-token" } });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^provider-sessions: 401 [^\n]*check PROVIDER_SESSIONS_TOKEN\)\n$/);
    const missing = await cli(["get", newThreadId()]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^provider-sessions: 404 [^\n]+\n$/);
  });

  it("says which address it could not reach, and why", async () => {
    const refused = async () => {
      throw new TypeError("fetch failed", { cause: new Error("connect ECONNREFUSED 127.0.0.1:9") });
    };
    for (const argv of [["ls"], ["get", "t"], ["tail", "t"]]) {
      const run = await cli(argv, { fetch: refused });
      expect(run.status, argv[0]).toBe(1);
      expect(run.stderr).toBe(`provider-sessions: cannot reach ${ORIGIN}: connect ECONNREFUSED 127.0.0.1:9\n`);
    }
  });

  it("says an https URL reached a server that does not speak TLS, and which URL to use instead", async () => {
    // What Node's fetch rejects with when an https URL names a plain http port: OpenSSL's words, not a person's.
    const openSslErrors = [
      { code: "ERR_SSL_WRONG_VERSION_NUMBER", reason: "tls_validate_record_header:wrong version number" },
      { code: "ERR_SSL_PACKET_LENGTH_TOO_LONG", reason: "ssl3_get_record:packet length too long" },
    ];
    for (const { code, reason } of openSslErrors) {
      const plainHttp = async () => {
        const cause = new Error(`40BD6A09607F0000:error:0A00010B:SSL routines:${reason}:../deps/openssl/ssl.c:77:\n`);
        throw new TypeError("fetch failed", { cause: Object.assign(cause, { library: "SSL routines", code }) });
      };
      const env = { ...CLI_ENV, PROVIDER_SESSIONS_URL: "https://localhost:8787/" };
      const run = await cli(["ls"], { env, fetch: plainHttp });
      expect(run, code).toEqual({
        status: 1,
        stdout: "",
        stderr:
          "provider-sessions: the server at https://localhost:8787/ does not speak TLS: use http://localhost:8787/\n",
      });
    }
  });
});
