/**
 * Compile-time only (tsconfig.node.json; no test runs it): the Claude bridge's message types and the fixture's shapes
 * are the ones `@anthropic-ai/claude-agent-sdk` declares. Kept apart so the package's Node types never reach the
 * Worker's program or the bridge's bundle.
 */
import type {
  SDKControlRequest,
  SDKControlResponse,
  SDKMessage,
  SDKRateLimitEvent,
  SDKResultError,
  SDKResultSuccess,
  SDKSystemMessage,
} from "@anthropic-ai/claude-agent-sdk";
import type { ClaudeOutType } from "../../src/bridge/claude-stdout.ts";
import {
  askQuestion,
  canUseBash,
  init,
  initialize,
  initialized,
  interrupted,
  rateLimited,
  success,
} from "../support/claude-transcript.ts";

type SdkFrameType =
  | SDKMessage["type"]
  | SDKControlRequest["type"]
  | SDKControlResponse["type"]
  | "control_cancel_request";
type Subset<T extends SdkFrameType> = T;
export type ClaudeOutTypesAreSdkTypes = Subset<ClaudeOutType>;

type Shape<T, K extends keyof T> = { [P in K]: T[P] extends string ? string : unknown };

export const shapes = [
  init satisfies Shape<SDKSystemMessage, "type" | "subtype" | "session_id" | "model" | "claude_code_version" | "cwd">,
  success satisfies Shape<
    SDKResultSuccess,
    "type" | "subtype" | "is_error" | "usage" | "modelUsage" | "total_cost_usd"
  >,
  interrupted satisfies Shape<SDKResultError, "type" | "subtype" | "is_error" | "errors">,
  rateLimited satisfies Shape<SDKRateLimitEvent, "type" | "rate_limit_info" | "session_id" | "uuid">,
  canUseBash satisfies Shape<SDKControlRequest, "type" | "request_id" | "request">,
  askQuestion satisfies Shape<SDKControlRequest, "type" | "request_id" | "request">,
  initialize satisfies Shape<SDKControlRequest, "type" | "request_id" | "request">,
  initialized satisfies Shape<SDKControlResponse, "type" | "response">,
];
