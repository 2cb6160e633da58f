/**
 * XML annotation files (the Pascal VOC subset) through fast-xml-parser: its validator names a
 * malformed file's line and column, its parser (document order kept, attributes dropped, standard
 * and numeric entities and CDATA decoded into text) gives the element tree the readers walk.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { DataError } from '../records';

export interface XmlElement {
  name: string;
  children: XmlElement[];
  /** The element's own text (entities decoded), concatenated and trimmed. */
  text: string;
}

/** A node of the parser's document-order output: `{ tag: [children] }` or `{ '#text': text }`. */
type OrderedNode = Record<string, unknown>;

const TEXT = '#text';

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  parseTagValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: true,
});

function toElement(name: string, nodes: OrderedNode[]): XmlElement {
  const children: XmlElement[] = [];
  let text = '';
  for (const node of nodes) {
    if (TEXT in node) text += String(node[TEXT]);
    else for (const [tag, inner] of Object.entries(node)) children.push(toElement(tag, inner as OrderedNode[]));
  }
  return { name, children, text: text.trim() };
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, Math.max(0, offset)).split('\n');
  return `${before.length}:${before[before.length - 1].length + 1}`;
}

/** Parses `text` (from `file`, named in errors as `file:LINE:COLUMN: malformed XML: …`) and returns the root element. */
export function parseXml(text: string, file: string): XmlElement {
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new DataError(`${file}:${valid.err.line}:${valid.err.col ?? 1}: malformed XML: ${valid.err.msg.replace(/\.$/, '')}`);
  const roots = (parser.parse(text) as OrderedNode[]).flatMap((node) => Object.entries(node).filter(([tag]) => tag !== TEXT));
  // The validator passes a second root element when either one is self-closing (`<a/><b/>`).
  if (roots.length > 1) {
    const last = roots[roots.length - 1][0];
    throw new DataError(`${file}:${lineAndColumn(text, text.lastIndexOf(`<${last}`))}: malformed XML: more than one root element (${roots.map(([tag]) => `<${tag}>`).join(', ')})`);
  }
  return toElement(roots[0][0], roots[0][1] as OrderedNode[]);
}

/** The first child element called `name`, if any. */
export function childElement(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((c) => c.name === name);
}

/** All child elements called `name`. */
export function childElements(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((c) => c.name === name);
}
