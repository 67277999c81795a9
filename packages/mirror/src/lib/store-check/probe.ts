import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { ErrorCodes, isOvirtRepoError, type Logger } from '@ovirt-repo/core';
import type { ProbeTarget, VersionForm } from './target.js';

export interface CheckResult {
  /** Stable name (`create-only-twice`, `cas-stale-quoted`...). */
  id: string;
  status: 'pass' | 'fail';
  /** What was seen, in a sentence. */
  reason: string;
  ms: number;
}

export interface ProbeResult {
  location: string;
  backend: string;
  /** Every check passed: writers on many hosts may share this backend. */
  trusted: boolean;
  checks: CheckResult[];
  /** For each If-Match form, whether the backend accepted the current version in it. */
  currentVersionAccepted: Record<string, boolean>;
}

/** The concurrent creates of one key (issue 17: 16). */
export const RACERS = 16;
const STREAM_BYTES = 2 * 1024 * 1024 + 7;

/**
 * The conformance probe of a backend for writers on many hosts: what the store's commit protocol rests on
 * (create-only writes, exactly one winner among racing creates, compare-and-swap that refuses a stale
 * version, a listing that shows a write at once, a streamed upload of known length). A backend that lets a
 * condition pass silently (Garage 2.0's PutObject checks neither condition) is caught by reading back what
 * is there, never by trusting the answer. Each check runs on its own keys; a check that throws fails with
 * the error's message, except a backend that cannot be reached at all, which ends the probe with its error.
 */
export async function runProbe(target: ProbeTarget, logger: Logger): Promise<ProbeResult> {
  const checks: CheckResult[] = [];
  const currentVersionAccepted: Record<string, boolean> = {};
  const run = async (id: string, check: () => Promise<string>) => {
    const started = Date.now();
    let status: CheckResult['status'] = 'pass';
    let reason: string;
    try {
      reason = await check();
    } catch (e) {
      if (cannotAsk(e)) throw e;
      status = 'fail';
      reason = e instanceof ProbeFailure || isOvirtRepoError(e) ? (e as Error).message : String(e);
    }
    const ms = Date.now() - started;
    checks.push({ id, status, reason, ms });
    logger.debug(`${id}: ${status}: ${reason} (${ms} ms)`);
  };
  try {
    await run('create-only-twice', () => createOnlyTwice(target));
    await run('concurrent-create', () => concurrentCreate(target));
    for (const form of target.versionForms) {
      await run(target.versionForms.length > 1 ? `cas-stale-${form.name}` : 'cas-stale', () => staleReplace(target, form, currentVersionAccepted));
    }
    await run('cas-current', async () => {
      const accepted = Object.entries(currentVersionAccepted).filter(([, ok]) => ok).map(([name]) => name);
      const refused = Object.entries(currentVersionAccepted).filter(([, ok]) => !ok).map(([name]) => name);
      if (accepted.length === 0) throw new ProbeFailure(`a replace from the current version was refused in every form (${refused.join(', ')}): no compare-and-swap can succeed`);
      return `a replace from the current version succeeds (${accepted.join(', ')})${refused.length ? `; refused in the ${refused.join(', ')} form, which ovirt-repo must not send` : ''}`;
    });
    await run('list-after-put', () => listAfterPut(target));
    await run('streamed-put', () => streamedPut(target));
  } finally {
    await target.cleanUp().catch((e: unknown) => logger.warn(`store check: could not remove its probe objects below ${target.location}: ${(e as Error).message}`));
  }
  return { location: target.location, backend: target.backend, trusted: checks.every((c) => c.status === 'pass'), checks, currentVersionAccepted };
}

class ProbeFailure extends Error {}

/**
 * Failures that say nothing about the backend's semantics, only that the probe cannot talk to it: no
 * credentials, no connection, refused keys or permissions, no such bucket. They end the probe as they are.
 */
function cannotAsk(e: unknown): boolean {
  if (!isOvirtRepoError(e)) return false;
  if (e.code === ErrorCodes.USAGE || e.data?.unreachable === true) return true;
  return e.code === ErrorCodes.FETCH && (e.data?.status === 401 || e.data?.status === 403 || e.data?.s3Code === 'NoSuchBucket');
}

async function createOnlyTwice(t: ProbeTarget): Promise<string> {
  if (!(await t.create('once', Buffer.from('first')))) throw new ProbeFailure('the first create-only write of a new key was refused');
  const second = await t.create('once', Buffer.from('second'));
  const there = (await t.read('once'))?.data.toString();
  if (second) throw new ProbeFailure(`a second create-only write of the same key was accepted${there === 'second' ? ' and replaced the first object' : ''}: the backend ignores If-None-Match`);
  if (there !== 'first') throw new ProbeFailure(`the second create was refused, yet the object now holds ${JSON.stringify(there)}, not the first write`);
  return 'a second create of the same key was refused and the first object kept';
}

async function concurrentCreate(t: ProbeTarget): Promise<string> {
  const bodies = Array.from({ length: RACERS }, (_, i) => Buffer.from(`racer ${i} ${randomBytes(4).toString('hex')}`));
  const outcomes = await Promise.allSettled(bodies.map((b) => t.create('race', b)));
  const errors = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (errors.length > 0) throw new ProbeFailure(`${errors.length} of ${RACERS} concurrent creates failed: ${(errors[0]?.reason as Error).message}`);
  const winners = outcomes.flatMap((o, i) => (o.status === 'fulfilled' && o.value ? [i] : []));
  if (winners.length !== 1) throw new ProbeFailure(`${winners.length} of ${RACERS} concurrent creates of one key were told they created it (exactly one must be)`);
  const there = (await t.read('race'))?.data;
  const winner = winners[0] ?? -1;
  if (!there || !there.equals(bodies[winner] ?? Buffer.alloc(0))) throw new ProbeFailure(`racer ${winner} was told it created the key, but the object holds another racer's bytes`);
  return `exactly one of ${RACERS} concurrent creates won, and the object holds its bytes`;
}

/**
 * A replace from the current version must succeed, one from a version already replaced must not: both in
 * this form. Records whether the current version was accepted (the cas-current check reads it).
 */
async function staleReplace(t: ProbeTarget, form: VersionForm, accepted: Record<string, boolean>): Promise<string> {
  const key = `cas-${form.name}`;
  if (!(await t.create(key, Buffer.from('one')))) throw new ProbeFailure('could not create the object to replace');
  const first = (await t.read(key))?.version ?? '';
  try {
    await t.replaceIf(key, Buffer.from('two'), form.of(first));
    accepted[form.name] = true;
  } catch (e) {
    if (!isOvirtRepoError(e) || e.code !== ErrorCodes.CONFLICT) throw e;
    accepted[form.name] = false;
    await t.overwrite(key, Buffer.from('two'));
  }
  let refused: string | undefined;
  try {
    await t.replaceIf(key, Buffer.from('three'), form.of(first));
  } catch (e) {
    if (!isOvirtRepoError(e) || e.code !== ErrorCodes.CONFLICT) throw e;
    refused = typeof e.data?.status === 'number' ? ` (HTTP ${e.data.status})` : '';
  }
  const there = (await t.read(key))?.data.toString();
  if (there === 'three') throw new ProbeFailure(`a replace from a stale version (${form.name}) overwrote the newer object: a lost update`);
  if (refused === undefined) throw new ProbeFailure(`a replace from a stale version (${form.name}) was answered as a success${there === 'two' ? ' but changed nothing' : ''}: the answer cannot be trusted`);
  if (there !== 'two') throw new ProbeFailure(`a replace from a stale version (${form.name}) was refused, yet the object holds ${JSON.stringify(there)}`);
  return `a replace from a stale version (${form.name}) was refused${refused} and the newer object kept`;
}

async function listAfterPut(t: ProbeTarget): Promise<string> {
  for (let i = 0; i < 5; i++) {
    const key = `listed/${i}`;
    await t.overwrite(key, Buffer.from(`object ${i}`));
    const seen = await t.list('listed');
    const entry = seen.find((e) => e.key === key);
    if (!entry) throw new ProbeFailure(`an object was missing from a listing made right after it was written (${i + 1}. try)`);
    if (entry.size !== `object ${i}`.length) throw new ProbeFailure(`a listing made right after a write gave size ${entry.size}, not ${`object ${i}`.length}`);
    await t.remove(key);
    if ((await t.list('listed')).some((e) => e.key === key)) throw new ProbeFailure('an object was still listed right after it was deleted');
  }
  return 'each of 5 objects was listed right after it was written, and gone from the listing right after it was deleted';
}

async function streamedPut(t: ProbeTarget): Promise<string> {
  const data = randomBytes(STREAM_BYTES);
  const pieces = [data.subarray(0, 1000), data.subarray(1000, 1 << 20), data.subarray(1 << 20)];
  await t.putStream('streamed', Readable.from(pieces), data.length);
  const back = (await t.read('streamed'))?.data;
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  if (!back || back.length !== data.length || sha(back) !== sha(data)) throw new ProbeFailure(`a streamed upload of ${data.length} bytes reads back as ${back ? `${back.length} other bytes` : 'nothing'}`);
  return `a streamed upload of ${data.length} bytes${t.backend === 's3' ? ' (Content-Length known, payload unsigned)' : ''} reads back whole`;
}
