import { checkSyncTarget } from './conformance.js';
import { MemoryTarget } from './memory-target.js';

describe('checkSyncTarget', () => {
  it('passes a correct target and cleans up after itself', async () => {
    const target = new MemoryTarget('memory:');
    const report = await checkSyncTarget(target);
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.capabilities).toEqual(['batch']);
    expect(target.files.size).toBe(0);
  });

  it('reports a target whose put keeps a stale tail', async () => {
    class Sloppy extends MemoryTarget {
      override async put(path: string, data: Parameters<MemoryTarget['put']>[1]): Promise<void> {
        const before = this.files.get(path);
        await super.put(path, data);
        const now = this.files.get(path)!;
        if (before && before.length > now.length) this.files.set(path, Buffer.concat([now, before.subarray(now.length)]));
      }
    }
    const report = await checkSyncTarget(new Sloppy('sloppy:'));
    expect(report.ok).toBe(false);
    expect(report.checks.find((c) => !c.ok)?.name).toMatch(/replaces the whole file/);
  });
});
