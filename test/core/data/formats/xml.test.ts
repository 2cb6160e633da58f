import { childElement, childElements, parseXml } from '../../../../src/core/data/formats/xml';
import { expectDataError } from './fixtures';

describe('parseXml', () => {
  it('reads elements, text, attributes, entities, CDATA, comments and self-closing tags', () => {
    const root = parseXml(
      `<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE x>\n<!-- a comment -->\n<annotation verified="yes">\n` +
        `  <filename>a &amp; b&#39;s &#x41;.jpg</filename>\n  <empty/>\n  <object><name> dog </name><note><![CDATA[<raw> & more]]></note></object>\n` +
        `  <object>\n    <name>cat</name>\n  </object>\n</annotation>\n`,
      'a.xml',
    );
    expect(root.name).toBe('annotation');
    expect(childElement(root, 'filename')?.text).toBe("a & b's A.jpg");
    expect(childElement(root, 'empty')).toEqual({ name: 'empty', children: [], text: '' });
    const objects = childElements(root, 'object');
    expect(objects.map((o) => childElement(o, 'name')?.text)).toEqual(['dog', 'cat']);
    expect(childElement(objects[0], 'note')?.text).toBe('<raw> & more');
    expect(childElement(root, 'missing')).toBeUndefined();
  });

  it('reports malformed XML with file, line and column', () => {
    expectDataError(() => parseXml('<a>\n<b>\n</a>', 'x.xml'), "x.xml:3:1: malformed XML: Expected closing tag 'b' (opened in line 2, col 1) instead of closing tag 'a'");
    expectDataError(() => parseXml('<a>\n<b></b>\n', 'x.xml'), "x.xml:1:1: malformed XML: Unclosed tag 'a'");
    expectDataError(() => parseXml('<a>\n<!-- open', 'x.xml'), "x.xml:1:1: malformed XML: Unclosed tag 'a'");
    expectDataError(() => parseXml('hello', 'x.xml'), "x.xml:1:1: malformed XML: char 'h' is not expected");
    expectDataError(() => parseXml('<a><1b></1b></a>', 'x.xml'), "x.xml:1:7: malformed XML: Tag '1b' is an invalid name");
    expectDataError(() => parseXml('', 'x.xml'), 'x.xml:1:1: malformed XML: Start tag expected');
  });

  it('refuses a second root element, also the self-closing ones the validator lets through', () => {
    expectDataError(() => parseXml('<a></a><c></c>', 'x.xml'), 'x.xml:1:10: malformed XML: Multiple possible root nodes found');
    expectDataError(() => parseXml('<a></a><c/>', 'x.xml'), 'x.xml:1:8: malformed XML: more than one root element (<a>, <c>)');
    expectDataError(() => parseXml('<a/>\n<c/>', 'x.xml'), 'x.xml:2:1: malformed XML: more than one root element (<a>, <c>)');
  });
});
