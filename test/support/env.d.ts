/** Bindings only the workerd tests have (see vitest.config.ts). */
declare namespace Cloudflare {
  interface Env {
    WEBHOOK_SECRET: string;
    WEBHOOK_RECEIVER: string;
    READ_TOKEN_SECRET: string;
  }
}
