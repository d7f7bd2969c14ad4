/**
 * The edges of issue 21's rules that the mutation run (`npm run mutate`) found untested: the task cap and which
 * task is stalest, a task.updated that keeps its task, which events set a usage limit, and where text is clipped.
 */
import { describe, expect, it } from "vitest";
import { clipTail, clipText } from "../../src/domain/provider-text.ts";
import { readProviderTime } from "../../src/domain/provider-time.ts";
import type { RunningTask } from "../../src/domain/session.ts";
import { usageLimitResetsAt } from "../../src/domain/session-facts.ts";
import { MAX_TASKS, stalestTask, tasksAfter } from "../../src/domain/tasks.ts";
import { runtimeEvent } from "../support/events.ts";

const task = (taskId: string, lastEventAt: number): RunningTask => ({
  taskId,
  startedAt: 0,
  lastEventAt,
  backgrounded: false,
});

describe("background tasks at their edges", () => {
  it("tracks at most MAX_TASKS tasks, keeping the oldest", () => {
    const full = Array.from({ length: MAX_TASKS }, (_, index) => task(`t${index}`, 1_000));
    const started = runtimeEvent("task.started", { taskId: "one-too-many" });
    expect(tasksAfter(full, started, 2_000)).toBe(full);
    const roomForOne = full.slice(1);
    expect(tasksAfter(roomForOne, started, 2_000).map((t) => t.taskId)).toContain("one-too-many");
  });

  it("keeps a task that task.updated says still runs, and ends one it says completed, failed or killed", () => {
    const running = [task("t1", 1_000)];
    for (const status of ["pending", "running", "paused"]) {
      const kept = tasksAfter(running, runtimeEvent("task.updated", { taskId: "t1", status }), 1_000 + 120_000);
      expect(
        kept.map((t) => t.taskId),
        status,
      ).toEqual(["t1"]);
    }
    for (const status of ["completed", "failed", "killed"]) {
      expect(tasksAfter(running, runtimeEvent("task.updated", { taskId: "t1", status }), 2_000), status).toEqual([]);
    }
  });

  it("finds the stalest task wherever it is in the list, and none in an empty one", () => {
    expect(stalestTask([])).toBeNull();
    expect(stalestTask([task("a", 300), task("b", 100), task("c", 200)])?.taskId).toBe("b");
    expect(stalestTask([task("a", 100), task("b", 300), task("c", 200)])?.taskId).toBe("a");
    expect(stalestTask([task("a", 300), task("b", 200), task("c", 100)])?.taskId).toBe("c");
  });
});

describe("which events set a usage limit", () => {
  const detail = { resetsAt: "2026-11-25T12:00:00Z" };

  it("only a runtime.error of class usage_limit", () => {
    expect(usageLimitResetsAt(runtimeEvent("runtime.error", { message: "m", class: "usage_limit", detail }))).toBe(
      Date.parse(detail.resetsAt),
    );
    expect(usageLimitResetsAt(runtimeEvent("runtime.error", { message: "m", class: "provider_error", detail }))).toBe(
      null,
    );
    expect(usageLimitResetsAt(runtimeEvent("turn.completed", { state: "failed", class: "usage_limit", detail }))).toBe(
      null,
    );
  });

  it("reads resetsAtEpochSeconds only as whole seconds", () => {
    const limit = (resetsAtEpochSeconds: unknown) =>
      usageLimitResetsAt(
        runtimeEvent("runtime.error", { message: "m", class: "usage_limit", detail: { resetsAtEpochSeconds } }),
      );
    expect(limit(1_795_588_084)).toBe(1_795_588_084_000);
    expect(limit(1_795_588_084.5)).toBeNull();
    expect(limit("soon")).toBeNull();
  });
});

describe("clipping at the surrogate ranges' edges", () => {
  const unit = (code: number) => String.fromCharCode(code);

  it("drops a high surrogate (U+D800 to U+DBFF) left last by the cut of a head, and nothing else", () => {
    for (const code of [0xd800, 0xdbff]) expect(clipText(`a${unit(code)}b`, 2), code.toString(16)).toBe("a");
    for (const code of [0xd7ff, 0xdc00]) {
      expect(clipText(`a${unit(code)}b`, 2), code.toString(16)).toBe(`a${unit(code)}`);
    }
  });

  it("drops a low surrogate (U+DC00 to U+DFFF) left first by the cut of a tail, and nothing else", () => {
    for (const code of [0xdc00, 0xdfff]) expect(clipTail(`a${unit(code)}b`, 2), code.toString(16)).toBe("b");
    for (const code of [0xdbff, 0xe000, 0x62]) {
      expect(clipTail(`a${unit(code)}b`, 2), code.toString(16)).toBe(`${unit(code)}b`);
    }
  });

  it("leaves text exactly at the limit whole, whatever it starts or ends with", () => {
    expect(clipTail(`${unit(0xdc00)}b`, 2)).toBe(`${unit(0xdc00)}b`);
    expect(clipText(`a${unit(0xd800)}`, 2)).toBe(`a${unit(0xd800)}`);
  });
});

describe("provider times at their edges", () => {
  it("reads epoch milliseconds up to the last time JavaScript can hold, and no further", () => {
    expect(readProviderTime("8640000000000000")).toBe(8.64e15);
    expect(readProviderTime("8640000000000001")).toBeNull();
  });

  it("refuses a month or a day outside the calendar", () => {
    for (const date of ["2026-00-10", "2026-13-10", "2026-11-00", "2026-11-31", "2026-12-32"]) {
      expect(readProviderTime(`${date}T10:00:00Z`), date).toBeNull();
    }
    expect(readProviderTime("2026-12-31T10:00:00Z")).toBe(Date.parse("2026-12-31T10:00:00Z"));
  });

  it("reads zones up to ±23:59", () => {
    expect(readProviderTime("2026-11-25T10:00:00+23:59")).toBe(Date.parse("2026-11-25T10:00:00+23:59"));
    expect(readProviderTime("2026-11-25T10:00:00-23:00")).toBe(Date.parse("2026-11-25T10:00:00-23:00"));
    expect(readProviderTime("2026-11-25T10:00:00+24:00")).toBeNull();
    expect(readProviderTime("2026-11-25T10:00:00+10:60")).toBeNull();
  });
});
