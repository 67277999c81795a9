const TYPES: Record<string, string> = {
  '.rpm': 'application/x-rpm',
  '.xml': 'application/xml',
  '.gz': 'application/gzip',
  '.xz': 'application/x-xz',
  '.bz2': 'application/x-bzip2',
  '.zst': 'application/zstd',
  '.zck': 'application/octet-stream',
  '.sqlite': 'application/vnd.sqlite3',
  '.json': 'application/json',
  '.yaml': 'application/yaml',
  '.yml': 'application/yaml',
  '.py': 'text/x-python; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.repo': 'text/plain; charset=utf-8',
  '.asc': 'text/plain; charset=utf-8',
  '.key': 'text/plain; charset=utf-8',
};

/**
 * The Content-Type of a repository file by its name: what `serve` answers with and what objects written to
 * S3 carry, so a bucket read over plain HTTP answers as the web server would.
 */
export function contentTypeFor(name: string): string {
  const dot = name.lastIndexOf('.');
  return (dot >= 0 && TYPES[name.slice(dot).toLowerCase()]) || 'application/octet-stream';
}
