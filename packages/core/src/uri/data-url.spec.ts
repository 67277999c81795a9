import { parseDataUrl } from './data-url.js';

describe('parseDataUrl', () => {
  const json = '{"foo": "bar", "baz": "bal"}';

  it('reads raw JSON after the comma, as jobs pass it (spaces, quotes and # kept)', () => {
    const d = parseDataUrl(`data:application/json,{"a": "b c#d"}`);
    expect(d).toMatchObject({ mediaType: 'application/json', base64: false });
    expect(JSON.parse(d.data.toString())).toEqual({ a: 'b c#d' });
  });

  it('decodes percent escapes', () => {
    expect(parseDataUrl(`data:application/json,${encodeURIComponent(json)}`).data.toString()).toBe(json);
  });

  it('keeps a % that does not start an escape', () => {
    expect(parseDataUrl('data:text/plain,100%zz').data.toString()).toBe('100%zz');
  });

  it('decodes base64 (the payload from mirror_client\'s own tests)', () => {
    const d = parseDataUrl('data:application/json;base64,eyJmb28iOiAiYmFyIiwgImJheiI6ICJiYWwifQ==');
    expect(d.base64).toBe(true);
    expect(JSON.parse(d.data.toString())).toEqual({ foo: 'bar', baz: 'bal' });
  });

  it('defaults the media type to text/plain', () => {
    expect(parseDataUrl('data:,hello')).toMatchObject({ mediaType: 'text/plain' });
    expect(parseDataUrl(`data:;base64,${Buffer.from('hi').toString('base64')}`).data.toString()).toBe('hi');
  });

  it('rejects malformed URLs and bad base64 with E_USAGE', () => {
    expect(() => parseDataUrl('data:application/json')).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
    expect(() => parseDataUrl('data:application/json;base64,!!!')).toThrow(/not valid base64/);
    expect(() => parseDataUrl('data:application/json;base64,abcde')).toThrow(/not valid base64/);
  });
});
