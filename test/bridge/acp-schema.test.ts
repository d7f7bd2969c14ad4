/** The ACP fixture is made of real shapes: each message's params, result or error satisfies schema/schema.json (v1). */
import { Validator } from "@cfworker/json-schema";
import { describe, expect, it } from "vitest";
import schema from "../../node_modules/@agentclientprotocol/sdk/schema/v1/schema.json" with { type: "json" };
import { MESSAGES } from "../support/acp-transcript.ts";

describe("the ACP fixture", () => {
  it.each(MESSAGES.map((entry, index) => [index + 1, entry] as const))(
    "message %i satisfies its definition",
    (_, entry) => {
      const { message } = entry;
      const body = "params" in message ? message.params : "error" in message ? message.error : message.result;
      const validator = new Validator(
        { $ref: `#/$defs/${entry.schema}`, $defs: schema.$defs } as never,
        "2020-12",
        false,
      );
      const result = validator.validate(body);
      expect(result.errors.map((error) => `${error.instanceLocation} ${error.error}`)).toEqual([]);
      expect(message.jsonrpc).toBe("2.0");
    },
  );

  it("is checked for real: a stop reason the schema lacks fails", () => {
    const validator = new Validator({ $ref: "#/$defs/PromptResponse", $defs: schema.$defs } as never, "2020-12", false);
    expect(validator.validate({ stopReason: "finished" }).valid).toBe(false);
  });
});
