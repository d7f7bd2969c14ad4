/** Worker entry: the HTTP app, and the Durable Object class the runtime instantiates per session. */
import { app } from "./http/app.ts";

export { DirectoryObject } from "./directory/directory-object.ts";
export type { AppType } from "./http/app.ts";
export { SessionObject } from "./session/session-object.ts";

export default app satisfies ExportedHandler<Env>;
