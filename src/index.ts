/**
 * Worker entry: every request reaches the Worker first. Paths under the API's names go to the Hono app, so a typo
 * there (`/V1/sessions`, `/healthz/`) is a JSON 404 rather than the dashboard's page; the rest are the dashboard's
 * assets. Also exports the two Durable Object classes (one per session, one directory per tenant).
 */
import { app } from "./http/app.ts";

export { DirectoryObject } from "./directory/directory-object.ts";
export type { AppType } from "./http/app.ts";
export { SessionObject } from "./session/session-object.ts";

/** The first path segments the API answers, compared without case: the dashboard never has a page there. */
const API_NAMES = new Set(["v1", "openapi.json", "healthz"]);

/** `url` as Request.url spells it (absolute, already normalised): its path's first segment, read without a URL. */
function isApiPath(url: string): boolean {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start === -1) return false;
  let end = start + 1;
  while (end < url.length && url[end] !== "/" && url[end] !== "?" && url[end] !== "#") end += 1;
  return API_NAMES.has(url.slice(start + 1, end).toLowerCase());
}

export default {
  fetch(request, env, ctx) {
    if (isApiPath(request.url)) return app.fetch(request, env, ctx);
    return env.ASSETS.fetch(request);
  },
} satisfies ExportedHandler<Env>;
