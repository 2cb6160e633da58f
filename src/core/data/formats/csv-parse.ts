/**
 * A small RFC 4180 CSV parser: comma-separated, fields optionally in double quotes (a quote inside
 * is doubled; commas and line breaks inside quotes are data), LF, CRLF or CR line ends, a UTF-8
 * BOM. Blank lines are skipped. Unquoted fields are trimmed of surrounding spaces.
 */
import { DataError } from '../records';

export interface CsvRow {
  /** 1-based line number where the row starts. */
  line: number;
  fields: string[];
}

/** Parses `text` (the contents of `file`, named in errors) into rows. */
export function parseCsv(text: string, file: string): CsvRow[] {
  const rows: CsvRow[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (i < text.length) {
    const startLine = line;
    const fields: string[] = [];
    let anyQuoted = false;
    for (;;) {
      let field = '';
      if (text[i] === '"') {
        anyQuoted = true;
        i++;
        for (;;) {
          if (i >= text.length) throw new DataError(`${file}:${startLine}: unterminated quoted field`);
          const ch = text[i];
          if (ch === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (ch === '\n' || (ch === '\r' && text[i + 1] !== '\n')) line++;
          field += ch;
          i++;
        }
        while (text[i] === ' ' || text[i] === '\t') i++;
        if (i < text.length && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
          throw new DataError(`${file}:${line}: unexpected character ${JSON.stringify(text[i])} after a closing quote`);
        }
      } else {
        const start = i;
        while (i < text.length && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') i++;
        field = text.slice(start, i).trim();
      }
      fields.push(field);
      if (text[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    // End of record: consume one line break (CRLF, LF or CR).
    if (text[i] === '\r') i++;
    if (text[i] === '\n') i++;
    line++;
    const blank = !anyQuoted && fields.length === 1 && fields[0] === '';
    if (!blank) rows.push({ line: startLine, fields });
  }
  return rows;
}
