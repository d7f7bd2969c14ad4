/** The dashboard's "Sign out" revokes the read token on the service, not only in the tab: a copy of it stops working. */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, openPage, signIn } from "./support/browser.ts";
import { type DevServer, startDevServer } from "./support/dev-server.ts";

let server: DevServer;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startDevServer(), launchChromium()]);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("sign-out", () => {
  it("revokes the read token the page held: a copy of it is refused afterwards", async () => {
    const watched = await openPage(browser);
    const { page } = watched;
    await signIn(page, server.origin);
    const token = await page.evaluate(() => {
      const stored = sessionStorage.getItem("provider-sessions:read-token");
      return stored === null ? null : (JSON.parse(stored) as { token: string }).token;
    });
    expect(token).toMatch(/^rt1\./);
    const read = () =>
      fetch(`${server.origin}/v1/sessions`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
    expect(await read()).toBe(200);

    const revoked = page.waitForResponse(
      (response) => response.url().endsWith("/v1/read-tokens/self") && response.request().method() === "DELETE",
    );
    await page.getByRole("button", { name: "Sign out" }).click();
    expect((await revoked).status()).toBe(204);
    await page.getByLabel("API token").waitFor();
    // One Worker instance under wrangler dev: it revoked the token, so it refuses it at once.
    expect(await read()).toBe(401);
    expect(watched.problems()).toEqual([]);
    await watched.close();
  });
});
