/** The typed Hono context shared by the app's modules. */

import type { ReadGrant } from "../domain/read-grants.ts";

/** What the caller's token allows: an API token everything of its tenant, a read token reads (of one thread). */
export type Access = { kind: "api" } | { kind: "read"; threadId: string | null; grant: ReadGrant };

export interface AppEnv {
  Bindings: Env;
  Variables: { tenant: string; access: Access };
}
