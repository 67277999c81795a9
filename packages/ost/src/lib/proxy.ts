/**
 * The `proxy` value that turns proxies off for a repo (mirror_client's none_value_by_repo_name): yum and
 * dnf before Fedora 29 want `_none_`, newer dnf wants `None`. The repo name's distro suffix decides:
 * `-fcNN` with NN below 29 and any `-elN` get `_none_`; everything else (fc29+, no suffix) gets `None`.
 */
export function noneValueFor(repo: string): string {
  const m = /-(fc|el)(\d+)$/.exec(repo);
  if (!m) return 'None';
  if (m[1] === 'fc' && Number(m[2]) >= 29) return 'None';
  return '_none_';
}
