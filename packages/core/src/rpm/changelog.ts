import type { ChangelogEntry } from '../repodata/model.js';
import type { RpmHeader } from './header.js';
import { rpmInvalid } from './rpm-error.js';
import { RpmTag } from './tags.js';
import { stripForbiddenControlChars } from './text.js';

/**
 * Changelog entries as createrepo_c writes them to other.xml. The header stores them newest first; the
 * newest `limit` are kept (negative or Infinity: all), returned oldest first. Entries sharing a timestamp
 * get distinct ones: each time an entry has the same original time as the previous (newer) one, the newer
 * entries of that run are pushed up by one second. Trailing spaces of the author are removed, and so are
 * control characters XML cannot carry (createrepo_c would write them and produce invalid XML).
 */
export function readRpmChangelogs(h: RpmHeader, limit: number): ChangelogEntry[] {
  const times = h.getNumbers(RpmTag.CHANGELOGTIME);
  const names = h.getStringArray(RpmTag.CHANGELOGNAME);
  const texts = h.getStringArray(RpmTag.CHANGELOGTEXT);
  if (!times || !names || !texts) return [];
  if (names.length !== times.length || texts.length !== times.length) {
    throw rpmInvalid(
      h.file,
      `main header changelog tags have ${times.length} times, ${names.length} names and ${texts.length} texts`,
    );
  }
  const count = limit < 0 ? times.length : Math.min(limit, times.length);

  // Built newest first, like the header; reversed at the end.
  const newestFirst: ChangelogEntry[] = [];
  let lastTime = 0;
  for (let i = 0; i < count; i++) {
    const time = times[i];
    newestFirst.push({ author: stripForbiddenControlChars(trimAuthor(names[i])), date: time, text: stripForbiddenControlChars(texts[i]) });
    if (time === lastTime) {
      // createrepo_c counts in a C int here, so times past 2038 wrap and never match.
      let bumped = time | 0;
      for (let k = newestFirst.length - 2; k >= 0 && newestFirst[k].date === bumped; k--) {
        newestFirst[k].date++;
        bumped++;
      }
    } else {
      lastTime = time;
    }
  }
  return newestFirst.reverse();
}

/** Only spaces, and never the first character (createrepo_c's loop stops at index 1). */
function trimAuthor(author: string): string {
  let end = author.length;
  while (end > 1 && author[end - 1] === ' ') end--;
  return author.slice(0, end);
}
