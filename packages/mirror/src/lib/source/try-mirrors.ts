/** Mirrors of a list in flight at once, at most. */
const MIRRORS_AT_ONCE = 4;
/** A mirror that has not answered after this long gets company: the next one in the list starts too. */
const MIRROR_HEAD_START_MS = 1000;

export interface MirrorFailure {
  mirror: string;
  message: string;
}

export type MirrorOutcome<T> =
  | { ok: true; mirror: string; value: T; failures: MirrorFailure[] }
  | { ok: false; failures: MirrorFailure[]; tried: number; outOfTime: boolean };

/**
 * Try the mirrors of a list until one gives a usable answer, within `budgetMs` in all. They start in list
 * order (the list's preference): the next one as soon as one fails, or when those in flight have had
 * MIRROR_HEAD_START_MS without an answer, up to MIRRORS_AT_ONCE at a time. The first usable answer wins and
 * the others are aborted through `signal`; at the end of the budget every one still in flight is. So a list
 * of a thousand dead or silent mirrors ends within the budget, and one healthy mirror costs one request.
 */
export function tryMirrors<T>(
  mirrors: readonly string[],
  attempt: (mirror: string, signal: AbortSignal) => Promise<T>,
  budgetMs: number,
): Promise<MirrorOutcome<T>> {
  if (mirrors.length === 0) return Promise.resolve({ ok: false, failures: [], tried: 0, outOfTime: false });
  return new Promise((resolve) => {
    const controller = new AbortController();
    const failures: MirrorFailure[] = [];
    let next = 0;
    let running = 0;
    let over = false;
    let headStart: NodeJS.Timeout | undefined;
    const finish = (outcome: MirrorOutcome<T>) => {
      if (over) return;
      over = true;
      clearTimeout(budget);
      clearTimeout(headStart);
      controller.abort();
      resolve(outcome);
    };
    const budget = setTimeout(() => finish({ ok: false, failures, tried: next, outOfTime: true }), budgetMs);
    const startNext = () => {
      clearTimeout(headStart);
      if (over || next >= mirrors.length) return;
      const mirror = mirrors[next];
      if (running < MIRRORS_AT_ONCE && mirror !== undefined) {
        next++;
        running++;
        attempt(mirror, controller.signal).then(
          (value) => finish({ ok: true, mirror, value, failures }),
          (e: unknown) => {
            running--;
            if (over) return;
            failures.push({ mirror, message: e instanceof Error ? e.message : String(e) });
            if (next >= mirrors.length && running === 0) finish({ ok: false, failures, tried: next, outOfTime: false });
            else startNext();
          },
        );
      }
      headStart = setTimeout(startNext, MIRROR_HEAD_START_MS);
    };
    startNext();
  });
}
