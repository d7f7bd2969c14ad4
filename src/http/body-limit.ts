/** A request body capped at `maxBytes`: over it, a 413 problem before the route reads anything. */
import { bodyLimit } from "hono/body-limit";
import { problemResponse } from "./problem.ts";

export function limitBody(maxBytes: number) {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => problemResponse("payload-too-large", `The body exceeds ${maxBytes} bytes.`),
  });
}
