/** The typed Hono context shared by the app's modules. */
export interface AppEnv {
  Bindings: Env;
  Variables: { tenant: string };
}
