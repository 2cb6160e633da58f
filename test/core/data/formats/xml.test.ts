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

  it('reports malformed XML with file and line', () => {
    expectDataError(() => parseXml('<a>\n<b>\n</a>', 'x.xml'), 'x.xml:3: malformed XML: </a> does not close <b>');
    expectDataError(() => parseXml('<a>\n<b></b>\n', 'x.xml'), 'x.xml:3: malformed XML: <a> is never closed');
    expectDataError(() => parseXml('<a></a><c/>', 'x.xml'), 'x.xml:1: malformed XML: second root element <c>');
    expectDataError(() => parseXml('<a>\n<!-- open', 'x.xml'), 'x.xml:2: malformed XML: unterminated comment');
    expectDataError(() => parseXml('hello', 'x.xml'), 'x.xml:1: malformed XML: text outside the root element');
    expectDataError(() => parseXml('<a><1b></1b></a>', 'x.xml'), 'x.xml:1: malformed XML: bad opening tag');
    expectDataError(() => parseXml('', 'x.xml'), 'x.xml:1: malformed XML: no root element');
  });
});
