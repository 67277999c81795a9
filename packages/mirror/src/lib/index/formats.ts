/**
 * The index formats oVirt's mirror_mgr.sh wrote and mirror_client.py reads: one mapping, under a variable
 * name (default `latest_ci_repos`), from repo name to the URL of its latest snapshot. Entries are sorted
 * by repo name so the files are byte-identical for the same store state.
 */
export type IndexFormat = 'json' | 'yaml' | 'py' | 'html';
export const INDEX_FORMATS: readonly IndexFormat[] = ['json', 'yaml', 'py', 'html'];
export const DEFAULT_INDEX_VARIABLE = 'latest_ci_repos';

export type IndexEntries = ReadonlyArray<readonly [repo: string, url: string]>;

export function renderIndex(format: IndexFormat, entries: IndexEntries, variable = DEFAULT_INDEX_VARIABLE): string {
  switch (format) {
    case 'json':
      return renderJson(entries, variable);
    case 'yaml':
      return renderYaml(entries, variable);
    case 'py':
      return renderPy(entries, variable);
    case 'html':
      return renderHtml(entries, variable);
  }
}

function renderJson(entries: IndexEntries, variable: string): string {
  return `${JSON.stringify({ [variable]: Object.fromEntries(entries) }, null, 2)}\n`;
}

const yamlQuote = (s: string) => `'${s.replace(/'/g, "''")}'`;

function renderYaml(entries: IndexEntries, variable: string): string {
  if (entries.length === 0) return `---\n${variable}: {}\n`;
  // Keys are quoted too: a repo named 1.10 or "on" must stay a string for YAML 1.1 readers.
  return `---\n${variable}:\n${entries.map(([k, v]) => `  ${yamlQuote(k)}: ${yamlQuote(v)}\n`).join('')}`;
}

const pyQuote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function renderPy(entries: IndexEntries, variable: string): string {
  return `${variable} = {\n${entries.map(([k, v]) => `    ${pyQuote(k)}: ${pyQuote(v)},\n`).join('')}}\n`;
}

const html = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function renderHtml(entries: IndexEntries, variable: string): string {
  const rows = entries.map(([k, v]) => `<tr><td>${html(k)}</td><td><a href="${html(v)}">${html(v)}</a></td></tr>\n`).join('');
  return (
    '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>Latest repo snapshots</title></head><body>\n' +
    `<h1>Latest repo snapshots</h1>\n<table border="1" data-variable="${html(variable)}">\n` +
    '<tr><th>Repo Name</th><th>Repo URL</th></tr>\n' +
    rows +
    '</table>\n</body></html>\n'
  );
}
