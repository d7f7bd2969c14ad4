/**
 * workerd implements `node:crypto` (nodejs_compat, on by default since 2026-08-04). @types/node clashes with
 * @cloudflare/workers-types, so only the synchronous hash this Worker uses is declared.
 */
declare module "node:crypto" {
  interface Hash {
    update(data: string): Hash;
    digest(encoding: "base64" | "hex"): string;
  }
  export function createHash(algorithm: "sha256"): Hash;
}
