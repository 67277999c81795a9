import type { Logger } from '@ovirt-repo/core';

export type SyncStage =
  | 'lock'
  | 'fetchSourceMetadata'
  | 'selectPackages'
  | 'planDownloads'
  | 'downloadToPool'
  | 'writeSnapshotMetadata'
  | 'publishSnapshot'
  | 'writeIndex';

/** Milliseconds spent per stage of a sync (the stages that ran). */
export type StageTimings = Partial<Record<SyncStage, number>>;

/** Times the pipeline's stages: `start(stage)` ends the previous one. Reported in the result and with --verbose. */
export function stageTimer(log: Logger): { start(stage: SyncStage): void; end(): void; timings: StageTimings } {
  const timings: StageTimings = {};
  let current: SyncStage | undefined;
  let since = performance.now();
  const end = () => {
    if (current) {
      const ms = Math.round(performance.now() - since);
      timings[current] = (timings[current] ?? 0) + ms;
      log.debug(`${current}: ${ms} ms`);
    }
    current = undefined;
  };
  return {
    start(stage) {
      end();
      current = stage;
      since = performance.now();
    },
    end,
    timings,
  };
}
