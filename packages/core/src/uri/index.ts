export { uriKind, uriScheme, displayUri, READABLE_SCHEMES, type UriKind } from './kind.js';
export { resolveUri, localPathOf, fileUrlOf } from './resolve.js';
export { parseDataUrl, type DataUrl } from './data-url.js';
export { readUri, isUnreachableError, type ReadUriOptions, type ReadUriResult } from './read.js';
export { DEFAULT_TRIES, DEFAULT_TIMEOUT_MS, DEFAULT_RETRY_DELAY_MS } from './http.js';
export { defaultUserAgent } from './user-agent.js';
export { parseStructuredText, readStructuredUri, type StructuredDocument, type DocumentPath } from './document.js';
export { createReadClient, isTransient, type OpenedResource, type ReadClient, type ReadClientOptions, type ReadRequestOptions } from './read-client.js';
export { redactUrl } from './redact.js';
