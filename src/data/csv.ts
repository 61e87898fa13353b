/**
 * Numeric CSV files (RFC 4180: a header row, comma-separated cells, optional double quotes with
 * "" escapes, LF or CRLF line ends): one sample per row, one column of labels, every other
 * column a finite number. Every error names the file, the line and the column.
 */
import { overflowsFloat32, type RealData } from "./dataset.js";
import { oneLine } from "./text.js";

/** Real-valued samples read from a CSV file, with its column and class names. */
export interface CsvData extends RealData {
  /** The feature columns, in the order of the features. */
  featureNames: string[];
  /** Class c's label as written in the file. */
  classNames: string[];
  /** The label column's name (null: the file was read without labels). */
  labelName: string | null;
}

/** How a CSV file is read. */
export interface CsvOptions {
  /** The column holding the labels (default: the last column); null: the file has no labels (all 0). */
  labelColumn?: string | null;
  /** Read these feature columns by name, in this order (a model's); default: every column but the label's. */
  featureNames?: readonly string[];
  /** Map labels to these classes (a model's); default: the distinct labels, sorted (numerically if all are numbers). */
  classNames?: readonly string[];
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Parses CSV text; `name` (a file path) prefixes every error. */
export function parseCsv(text: string, name: string, options: CsvOptions = {}): CsvData {
  const rows = csvRecords(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, name);
  if (rows.length === 0) throw new Error(`${name}: empty file, expected a header row`);
  const [header, ...body] = rows;
  const columns = header.cells.map((c) => c.trim());
  const seen = new Map<string, number>();
  columns.forEach((c, i) => {
    if (seen.has(c)) throw new Error(`${name}:${header.line}: column ${i + 1} repeats the name "${oneLine(c)}" of column ${seen.get(c)! + 1}`);
    seen.set(c, i);
  });
  const column = (c: string, what: string) => {
    const i = seen.get(c);
    if (i === undefined) throw new Error(`${name}:${header.line}: no ${what} column "${oneLine(c)}" (columns: ${oneLine(columns.join(", "))})`);
    return i;
  };
  const labelAt = options.labelColumn === null ? -1 : options.labelColumn === undefined ? columns.length - 1 : column(options.labelColumn, "label");
  const featureNames = options.featureNames ? [...options.featureNames] : columns.filter((_, i) => i !== labelAt);
  const featureAt = featureNames.map((c) => column(c, "feature"));
  if (featureAt.includes(labelAt)) throw new Error(`${name}: column "${oneLine(columns[labelAt])}" cannot be both the label and a feature`);
  if (featureAt.length === 0) throw new Error(`${name}:${header.line}: no feature columns (the header has ${columns.length} column${columns.length === 1 ? "" : "s"}; is the file comma-separated?)`);
  if (body.length === 0) throw new Error(`${name}: no data rows after the header`);

  const features = featureAt.length, n = body.length;
  const x = new Float32Array(n * features);
  const raw: string[] = [];
  body.forEach((row, i) => {
    if (row.cells.length !== columns.length) throw new Error(`${name}:${row.line}: ${row.cells.length} cells, the header has ${columns.length} columns`);
    featureAt.forEach((at, f) => {
      const cell = row.cells[at].trim();
      const v = NUMBER.test(cell) ? Number(cell) : NaN;
      if (!Number.isFinite(v)) {
        throw new Error(`${name}:${row.line}: column ${at + 1} ("${oneLine(columns[at])}") is ${cell === "" ? "empty" : JSON.stringify(cell)}, expected a finite number`);
      }
      if (overflowsFloat32(v)) throw new Error(`${name}:${row.line}: column ${at + 1} ("${oneLine(columns[at])}") is ${cell}, too large for a 32-bit float (±3.4e38)`);
      x[i * features + f] = v;
    });
    if (labelAt >= 0) {
      const label = row.cells[labelAt].trim();
      if (label === "") throw new Error(`${name}:${row.line}: the label (column ${labelAt + 1}, "${oneLine(columns[labelAt])}") is empty`);
      raw.push(label);
    }
  });
  const classNames = options.classNames ? [...options.classNames] : sortedClasses(raw);
  if (labelAt >= 0 && !options.classNames && (classNames.length < 2 || classNames.length > 255)) {
    throw new Error(`${name}: the label column "${oneLine(columns[labelAt])}" has ${classNames.length} distinct value${classNames.length === 1 ? "" : "s"}, expected 2 to 255 classes`);
  }
  const index = new Map(classNames.map((c, i) => [c, i]));
  const labels = new Uint8Array(n);
  raw.forEach((label, i) => {
    const c = index.get(label);
    if (c === undefined) throw new Error(`${name}:${body[i].line}: label ${JSON.stringify(label)} is not one of the model's classes (${oneLine(classNames.join(", "))})`);
    labels[i] = c;
  });
  return { x, labels, features, classes: Math.max(2, classNames.length), name, featureNames, classNames, labelName: labelAt >= 0 ? columns[labelAt] : null };
}

/** Distinct labels, sorted numerically if every one is a number, else by code point. */
function sortedClasses(labels: string[]): string[] {
  const distinct = [...new Set(labels)];
  return distinct.every((l) => NUMBER.test(l)) ? distinct.sort((a, b) => Number(a) - Number(b)) : distinct.sort();
}

/** The records of CSV text with the (1-based) line each starts on; blank lines are skipped. */
function csvRecords(text: string, name: string): { cells: string[]; line: number }[] {
  const records: { cells: string[]; line: number }[] = [];
  let cells: string[] = [], cell = "", line = 1, start = 1, quoted = false, blank = true;
  const endRecord = () => {
    cells.push(cell);
    if (!(blank && cells.length === 1 && cell.trim() === "")) records.push({ cells, line: start });
    cells = [];
    cell = "";
    blank = true;
  };
  const plain = /[^,\r\n"]+/y;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (!quoted && ch !== '"' && ch !== "," && ch !== "\n" && ch !== "\r") {
      // A run of ordinary characters, taken at once.
      plain.lastIndex = i;
      plain.test(text);
      cell += text.slice(i, plain.lastIndex);
      i = plain.lastIndex - 1;
      continue;
    }
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') {
        quoted = false;
      } else {
        if (ch === "\n") line++;
        cell += ch;
      }
    } else if (ch === '"' && cell.trim() === "") {
      quoted = true;
      blank = false;
      cell = "";
    } else if (ch === ",") {
      cells.push(cell);
      cell = "";
      blank = false;
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      endRecord();
      start = ++line;
    } else {
      cell += ch; // a quote inside an unquoted cell is kept as it is
    }
  }
  if (quoted) throw new Error(`${name}:${start}: a quoted cell is not closed before the end of the file`);
  endRecord();
  return records;
}
