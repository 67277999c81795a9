import { inSelectionOrder, selectionOrder } from '../select/select-packages.js';
import { readHead, rollForward } from '../store/history.js';
import { SNAPSHOT_RECORD, snapshotKey } from '../store/layout.js';
import { corrupt, RecordText } from '../store/record-file.js';
import type { SnapshotRecord } from '../store/snapshot-record.js';
import type { LatestSnapshot, SyncContext } from './context.js';

/**
 * Stage 1, readLatest: the repo's latest snapshot id (the head of its history; latest.txt is moved forward
 * to it when a writer stopped before moving it, but by a dry run) and its snapshot.json (none for a new repo), read whole
 * into memory once; its packages are parsed only where a later stage looks.
 *
 * A record this version wrote lists its packages in selection order, as its metadata does (it says so by
 * recording its metadata layout). One written before may list them in another order: it is read whole
 * and put in that order here, so that every later stage sees one kind of record.
 */
export function readLatest(ctx: SyncContext): Promise<LatestSnapshot> {
  return ctx.timer.time('readLatest', async () => {
    // A dry run finds the same head but leaves latest.txt where it is.
    const id = ctx.dryRun ? (await readHead(ctx.layout, ctx.repo)).head : await rollForward(ctx.layout, ctx.repo, ctx.log);
    if (!id) return {};
    const key = `${snapshotKey(ctx.repo, id)}/${SNAPSHOT_RECORD}`;
    const path = ctx.layout.locationOf(key);
    const found = await ctx.layout.read(key);
    if (!found) {
      ctx.log.warn(`latest snapshot ${ctx.repo}/${id} has no snapshot.json; treating the repo as new`);
      return { id };
    }
    const bytes = found.data;
    const text = RecordText.parse(bytes, path);
    if (text?.head.metadata) return { id, record: text };
    return { id, record: inOrder(text ?? RecordText.of(parseWhole(bytes, path), path), path) };
  });
}

/** A record written before records were in selection order, put in it. */
function inOrder(text: RecordText, path: string): RecordText {
  if (inSelectionOrder(text)) return text;
  const packages = Array.from({ length: text.length }, (_, i) => text.at(i)).sort(selectionOrder);
  return RecordText.of({ ...text.head, packages }, path);
}

function parseWhole(bytes: Buffer, path: string): SnapshotRecord {
  let record: SnapshotRecord;
  try {
    record = JSON.parse(bytes.toString('utf8')) as SnapshotRecord;
  } catch (e) {
    throw corrupt(path, (e as Error).message);
  }
  if (record.format !== 1 || !Array.isArray(record.packages)) throw corrupt(path, 'unknown format');
  return record;
}
