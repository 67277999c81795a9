import { escapeAttr, escapeText } from './index.js';
import { escapeAttrUtf8 } from './xml-escape.js';

describe('escaping as libxml2 2.9 does for createrepo_c', () => {
  it('escapes text: < > & and CR only; quotes, tabs, newlines and non-ASCII stay', () => {
    expect(escapeText(`a<b>c&d"e'f\tg\nh\ri ü 日本 😀`)).toBe(`a&lt;b&gt;c&amp;d"e'f\tg\nh&#13;i ü 日本 😀`);
    expect(escapeText('plain')).toBe('plain');
  });

  it('escapes attributes: also quotes, TAB, LF, and non-ASCII as uppercase hex references', () => {
    expect(escapeAttr(`a<b>c&d"e'f\tg\nh\ri`)).toBe(`a&lt;b&gt;c&amp;d&quot;e'f&#9;g&#10;h&#13;i`);
    expect(escapeAttr('test pkg ü&1.rpm')).toBe('test pkg &#xFC;&amp;1.rpm');
    expect(escapeAttr('Jöhn Dœ')).toBe('J&#xF6;hn D&#x153;');
    expect(escapeAttr('日😀')).toBe('&#x65E5;&#x1F600;');
    expect(escapeAttr('\u0080')).toBe('&#x80;');
  });

  it('references the UTF-8 bytes of non-characters, as libxml2 does', () => {
    expect(escapeAttr('\uFFFE')).toBe('&#xEF;&#xBF;&#xBE;');
  });

  it('keeps non-ASCII in repomd.xml attributes (a document dumped with an encoding)', () => {
    expect(escapeAttrUtf8('ü"<\t')).toBe('ü&quot;&lt;&#9;');
  });
});
