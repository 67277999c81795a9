import type { Logger } from '@ovirt-repo/core';

/** The stages of sync-repo.ts, as the result's `timings` name them. */
export type SyncStage = 'lock' | 'readLatest' | 'readSources' | 'readIncoming' | 'workOutEdits' | 'downloadMissing' | 'writeSnapshot' | 'commit' | 'writeIndex';

/** Milliseconds spent per stage of a sync (the stages that ran). downloadMissing and writeSnapshot run side by side. */
export type StageTimings = Partial<Record<SyncStage, number>>;

export interface StageTimer {
  /** Runs one stage, adding its time to `timings`. */
  time<T>(stage: SyncStage, run: () => Promise<T>): Promise<T>;
  readonly timings: StageTimings;
}

/** Times the pipeline's stages. Reported in the result and with --verbose. */
export function stageTimer(log: Logger): StageTimer {
  const timings: StageTimings = {};
  return {
    async time(stage, run) {
      const since = performance.now();
      try {
        return await run();
      } finally {
        const ms = Math.round(performance.now() - since);
        timings[stage] = (timings[stage] ?? 0) + ms;
        log.debug(`${stage}: ${ms} ms`);
      }
    },
    timings,
  };
}
