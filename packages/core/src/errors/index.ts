export { ErrorCodes, type ErrorCode } from './codes.js';
export { OvirtRepoError, isOvirtRepoError, ioError, type ErrorDetails } from './ovirt-repo-error.js';
