/**
 * A small tolerant XML parser for annotation files (the Pascal VOC subset): elements, text,
 * attributes (read past, not kept), self-closing tags, comments, processing instructions,
 * DOCTYPE, CDATA and the standard and numeric character entities. No namespaces, no validation.
 */
import { DataError } from '../records';

export interface XmlElement {
  name: string;
  children: XmlElement[];
  /** The element's own text (entities decoded), concatenated and trimmed. */
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-zA-Z]+);/g, (whole, body: string) => {
    if (body[0] === '#') return String.fromCodePoint(body[1] === 'x' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10));
    return ENTITIES[body] ?? whole;
  });
}

/** Parses `text` (from `file`, named in errors as `file:LINE: ...`) and returns the root element. */
export function parseXml(text: string, file: string): XmlElement {
  const fail = (offset: number, problem: string): never => {
    const line = text.slice(0, offset).split('\n').length;
    throw new DataError(`${file}:${line}: malformed XML: ${problem}`);
  };
  const stack: XmlElement[] = [];
  const texts: string[][] = [];
  let root: XmlElement | undefined;
  let i = 0;
  const skipPast = (end: string, what: string): void => {
    const at = text.indexOf(end, i);
    if (at < 0) fail(i, `unterminated ${what}`);
    i = at + end.length;
  };
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    const chunk = text.slice(i, lt < 0 ? text.length : lt);
    if (stack.length > 0) texts[texts.length - 1].push(decodeEntities(chunk));
    else if (chunk.trim() !== '') fail(i, 'text outside the root element');
    if (lt < 0) break;
    i = lt;
    if (text.startsWith('<!--', i)) skipPast('-->', 'comment');
    else if (text.startsWith('<![CDATA[', i)) {
      const start = i + 9;
      skipPast(']]>', 'CDATA section');
      if (stack.length === 0) fail(start, 'CDATA outside the root element');
      texts[texts.length - 1].push(text.slice(start, i - 3));
    } else if (text.startsWith('<?', i)) skipPast('?>', 'processing instruction');
    else if (text.startsWith('<!', i)) skipPast('>', 'declaration');
    else if (text.startsWith('</', i)) {
      const match = /^<\/\s*([^\s>]+)\s*>/.exec(text.slice(i, i + 256));
      if (!match) fail(i, 'bad closing tag');
      const open = stack.pop();
      if (!open || open.name !== match![1]) fail(i, `</${match![1]}> does not close ${open ? `<${open.name}>` : 'any element'}`);
      open!.text = (texts.pop() as string[]).join('').trim();
      i += match![0].length;
    } else {
      const match = /^<([A-Za-z_:][\w:.-]*)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/.exec(text.slice(i, i + 4096));
      if (!match) fail(i, 'bad opening tag');
      const element: XmlElement = { name: match![1], children: [], text: '' };
      if (stack.length > 0) stack[stack.length - 1].children.push(element);
      else if (root) fail(i, `second root element <${element.name}>`);
      else root = element;
      if (match![3] !== '/') {
        stack.push(element);
        texts.push([]);
      }
      i += match![0].length;
    }
  }
  if (stack.length > 0) fail(text.length, `<${stack[stack.length - 1].name}> is never closed`);
  if (!root) fail(0, 'no root element');
  return root!;
}

/** The first child element called `name`, if any. */
export function childElement(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((c) => c.name === name);
}

/** All child elements called `name`. */
export function childElements(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((c) => c.name === name);
}
