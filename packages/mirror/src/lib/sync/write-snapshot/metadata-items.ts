import { ErrorCodes, OvirtRepoError, type WritableItem, type WritablePackage } from '@ovirt-repo/core';
import type { RecordText } from '../../store/record-file.js';
import type { SnapshotPackage } from '../../store/snapshot-record.js';
import type { Edit } from '../edits.js';
import { isCandidate, type Candidate } from '../shared/candidates.js';
import type { LatestMetadata } from '../read-incoming/latest-metadata.js';
import type { SourceEntries } from './source-entries.js';

/** Packages handed to the writer at a time: fewer async steps than one by one, memory bounded all the same. */
const BATCH = 256;

/**
 * The new snapshot's packages as the writer takes them, in record order (the latest snapshot's packages
 * with the edits made): each chunk of the latest snapshot's metadata that no edit touches given whole
 * (copied as it is, if the writer is at a chunk's end then), the other packages one by one: those the
 * latest snapshot lists with their entries there, the others with their entries from the sources. Without
 * the latest snapshot's metadata (mirror mode, when it could not be read), every entry is the sources'.
 */
export function* metadataItems(
  record: RecordText | undefined,
  edits: readonly Edit[],
  latest: LatestMetadata | undefined,
  sources: SourceEntries,
  fromSources: ReadonlyMap<string, Candidate>,
): Generator<WritableItem> {
  const kept = (i: number): WritablePackage => {
    if (latest) return latest.entriesOf(i);
    const href = (record as RecordText).hrefAt(i);
    const c = fromSources.get(href);
    if (!c) throw new OvirtRepoError(ErrorCodes.INTERNAL, `internal: no source offers ${href}, and the latest snapshot's metadata is not read`);
    return sources.entryOf(c);
  };
  const n = record?.length ?? 0;
  const chunks = latest?.chunks ?? [];
  let batch: WritablePackage[] = [];
  let k = 0;
  let e = 0;
  for (let p = 0; p < n || e < edits.length; ) {
    const edit = edits[e];
    if (edit && edit.at < p) throw new OvirtRepoError(ErrorCodes.INTERNAL, `internal: edits out of order at package ${p}`);
    if (edit && edit.at === p) {
      const place = new Map<SnapshotPackage, number>(edit.before.map((q, i) => [q, edit.at + i]));
      for (const q of edit.after) batch.push(isCandidate(q) ? sources.entryOf(q) : kept(place.get(q) as number));
      p = edit.end;
      e++;
    } else {
      // The latest snapshot's packages up to the next edit: whole chunks where they fit.
      let c = chunks[k];
      while (c && c.start + c.count <= p) c = chunks[++k];
      const whole = c && c.start === p && c.start + c.count <= (edit?.at ?? n) ? latest?.whole(k) : undefined;
      if (whole) {
        if (batch.length > 0) yield batch;
        batch = [];
        yield whole;
        p += whole.count;
      } else {
        batch.push(kept(p));
        p++;
      }
    }
    if (batch.length >= BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
