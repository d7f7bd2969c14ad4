/** Which object holds a session: one per (tenant, threadId); the tenant cannot contain "/", so the name is unambiguous. */

export interface SessionKey {
  tenant: string;
  threadId: string;
}

export function sessionObjectName({ tenant, threadId }: SessionKey): string {
  return `${tenant}/${threadId}`;
}

export function parseSessionObjectName(name: string | undefined): SessionKey {
  const separator = name?.indexOf("/") ?? -1;
  if (name === undefined || separator <= 0) throw new Error(`not a session object name: ${String(name)}`);
  return { tenant: name.slice(0, separator), threadId: name.slice(separator + 1) };
}
