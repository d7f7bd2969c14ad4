/** Writes the service's OpenAPI document, as GET /openapi.json serves it, to the path given (for `redocly lint`). */
import { writeFileSync } from "node:fs";
import { app } from "../src/http/app.ts";

const [output = "openapi.json"] = process.argv.slice(2);
const response = await app.request("/openapi.json");
writeFileSync(output, `${JSON.stringify(await response.json(), null, 2)}\n`);
