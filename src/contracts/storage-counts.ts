/** What an object's storage has cost since it woke, as its `storageCounts()` RPC answers. */
export interface StorageCounts {
  statements: number;
  rowsRead: number;
  rowsWritten: number;
  /** `setAlarm` calls: the pricing counts each as a row written. */
  alarmWrites: number;
}

export const noCounts = (): StorageCounts => ({ statements: 0, rowsRead: 0, rowsWritten: 0, alarmWrites: 0 });
