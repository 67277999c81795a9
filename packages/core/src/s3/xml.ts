import { ErrorCodes, isOvirtRepoError, OvirtRepoError } from '../errors/index.js';
import { XmlEventReader } from '../repodata/xml-events.js';

/** An element of an S3 response document: its children in order, the text directly inside it. */
export interface XmlNode {
  name: string;
  text: string;
  children: XmlNode[];
}

/**
 * An S3 response document (ListBucketResult, Error) as a small tree, read with core's one XML reader. The
 * caller has bounded `data` already. A document that is not XML is E_FETCH naming `what` (the request).
 */
export function parseS3Xml(data: Buffer, what: string): XmlNode {
  const root: XmlNode = { name: '', text: '', children: [] };
  const stack: XmlNode[] = [root];
  try {
    const reader = new XmlEventReader(what, () => ({
      open(name) {
        const node: XmlNode = { name, text: '', children: [] };
        stack[stack.length - 1]?.children.push(node);
        stack.push(node);
      },
      close(_name, text) {
        const node = stack.pop();
        if (node) node.text = text;
      },
    }));
    reader.write(data);
    reader.close();
  } catch (e) {
    const detail = isOvirtRepoError(e) ? e.message.slice(what.length + 1) : String(e);
    throw new OvirtRepoError(ErrorCodes.FETCH, `${what}: the S3 server's answer is not an S3 XML document (${detail})`, {
      hint: 'the endpoint may not be an S3 server, or a proxy answered instead; check AWS_ENDPOINT_URL',
      data: { transient: false, unreachable: false },
    });
  }
  const top = root.children[0];
  if (!top) throw new OvirtRepoError(ErrorCodes.FETCH, `${what}: the S3 server's answer is empty`, { hint: 'check the endpoint', data: { transient: false } });
  return top;
}

/** The text of the first child named `name`, if any. */
export function childText(node: XmlNode, name: string): string | undefined {
  return node.children.find((c) => c.name === name)?.text;
}
