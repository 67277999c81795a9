import type { Dependency, PackageRecord } from '../repodata/model.js';
import { forbiddenControlCharIndex } from './text.js';

const DEP_LISTS = ['provides', 'requires', 'conflicts', 'obsoletes', 'suggests', 'enhances', 'recommends', 'supplements'] as const;

/**
 * The first field of a record holding a control character XML cannot carry, described for an error
 * message (e.g. `summary (character 0x01 at 4)`), or undefined. Checks the fields createrepo_c checks
 * (cr_Package_contains_forbidden_control_chars), which makes it skip the package; changelogs are not among them.
 */
export function packageControlCharProblem(p: PackageRecord): string | undefined {
  // Labels are built only for the offending field: this runs for every package, and most are clean.
  const problem = (label: () => string, value: string | undefined): string | undefined => {
    if (value === undefined) return undefined;
    const at = forbiddenControlCharIndex(value);
    return at < 0 ? undefined : `${label()} (character 0x${value.charCodeAt(at).toString(16).padStart(2, '0')} at ${at})`;
  };
  const fields: [string, string | undefined][] = [
    ['name', p.name], ['arch', p.arch], ['version', p.version], ['epoch', p.epoch], ['release', p.release],
    ['summary', p.summary], ['description', p.description], ['url', p.url], ['license', p.format.license],
    ['vendor', p.format.vendor], ['group', p.format.group], ['buildhost', p.format.buildhost],
    ['sourcerpm', p.format.sourcerpm], ['packager', p.packager], ['location href', p.location.href],
    ['location base', p.location.base],
  ];
  for (const [label, value] of fields) {
    const found = problem(() => label, value);
    if (found) return found;
  }
  for (const list of DEP_LISTS) {
    for (const d of p.format[list] as Dependency[]) {
      const label = () => `${list} entry ${JSON.stringify(d.name)}`;
      const found =
        problem(label, d.name) ??
        problem(() => `${label()} epoch`, d.epoch) ??
        problem(() => `${label()} version`, d.version) ??
        problem(() => `${label()} release`, d.release);
      if (found) return found;
    }
  }
  for (const f of p.files) {
    const found = problem(() => `file ${JSON.stringify(f.path)}`, f.path);
    if (found) return found;
  }
  return undefined;
}
