/** The typed Hono context shared by the app's modules. */

/** What the caller's token allows: an API token everything of its tenant, a read token reads (of one thread). */
export type Access = { kind: "api" } | { kind: "read"; threadId: string | null; expiresAt: number };

export interface AppEnv {
  Bindings: Env;
  Variables: { tenant: string; access: Access };
}
