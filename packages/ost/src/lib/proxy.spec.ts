import { noneValueFor } from './proxy.js';

describe('noneValueFor', () => {
  // The cases of mirror_client's test_none_value_by_repo_name, plus el8/el9 and fc boundaries.
  it.each([
    ['centos-base-el7', '_none_'],
    ['centos-base-el8', '_none_'],
    ['ovirt-master-el9', '_none_'],
    ['fedora-base-fc27', '_none_'],
    ['fedora-base-fc28', '_none_'],
    ['fedora-base-fc29', 'None'],
    ['fedora-base-fc30', 'None'],
    ['no-suffix', 'None'],
    ['bad-suffix-fc', 'None'],
    ['el8', 'None'],
    ['centos-stream-el8stream', 'None'],
  ])('%s -> %s', (repo, value) => expect(noneValueFor(repo)).toBe(value));
});
