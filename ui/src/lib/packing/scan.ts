// Packing mode's keyboard rules, kept pure for tests (README: Packing mode).

/** A key a scanner (or a person) types as text: one character, no Ctrl, Alt or Meta. */
export function isTextKey(e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey'>): boolean {
  return e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey;
}

/** Local midnight today, in Unix seconds: where "packed today" starts. */
export function localMidnight(now: Date = new Date()): number {
  const d = new Date(now);
  d.setHours(0, 0, 0, 0);
  return Math.floor(d.getTime() / 1000);
}

/** True when the text is a tracking link rather than a number. */
export function isLink(text: string): boolean {
  return /^https?:\/\//i.test(text.trim());
}

/** Units ticked and ordered, from the lines' quantities and the ticks. */
export function progress(quantities: readonly number[], ticked: readonly number[]): { done: number; total: number } {
  let done = 0;
  let total = 0;
  quantities.forEach((q, i) => {
    total += Math.max(q, 0);
    done += Math.min(Math.max(ticked[i] ?? 0, 0), Math.max(q, 0));
  });
  return { done, total };
}
