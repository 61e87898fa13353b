/**
 * Parsers for the UCR/UEA time-series classification archives (browser-safe, no Node imports):
 * the sktime/aeon `.ts` format and the UCR-2018 `.tsv` format. Values stay real (missing = NaN);
 * binarisation happens later (sequence-encode.ts). Every error names `file:line`.
 */
import { overflowsFloat32 } from "./dataset.js";
import { oneLine } from "./text.js";

/** Real-valued labelled series; series[i] is step-major (step t, channel d at [t·dims + d]), missing values are NaN. */
export interface RealSequences {
  name: string;
  dims: number;
  series: Float32Array[];
  labels: Uint8Array;
  classes: number;
  classNames: string[];
}

/** A decimal number as written in UCR files (no hex, no Infinity). */
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Parses an sktime `.ts` classification file; `name` (the file name) prefixes every error as `name:line`. */
export function parseUcrTs(text: string, name: string): RealSequences {
  const lines = splitLines(text);
  let dims: number | undefined;
  let dimsFrom = "";
  let univariate: boolean | undefined;
  let equalLength = false;
  let seriesLength: number | undefined;
  let classNames: string[] | undefined;
  let classIndex = new Map<string, number>();
  let dataLine = 0;
  const series: Float32Array[] = [];
  const labels: number[] = [];

  for (let i = 0; i < lines.length; i++) {
    const at = `${name}:${i + 1}`;
    const line = lines[i].trim();
    if (line === "" || line.startsWith("#")) continue;
    if (dataLine === 0) {
      if (!line.startsWith("@")) throw new Error(`${at}: expected a # comment or an @header before @data, got "${clip(line)}"`);
      const [rawKey, ...args] = line.split(/\s+/);
      const key = rawKey.toLowerCase();
      switch (key) {
        case "@problemname":
          break;
        case "@timestamps":
          if (flag(args, rawKey, at)) throw new Error(`${at}: time-stamped series (@timeStamps true) are not supported`);
          break;
        case "@missing":
          flag(args, rawKey, at);
          break;
        case "@univariate":
          univariate = flag(args, rawKey, at);
          break;
        case "@dimensions":
          dims = positiveInt(args, rawKey, at);
          dimsFrom = "@dimensions";
          break;
        case "@equallength":
          equalLength = flag(args, rawKey, at);
          break;
        case "@serieslength":
          seriesLength = positiveInt(args, rawKey, at);
          break;
        case "@targetlabel":
          if (flag(args, rawKey, at)) throw new Error(`${at}: regression data (@targetLabel true) is not supported, only classification`);
          break;
        case "@classlabel":
          if (!flag(args.slice(0, 1), rawKey, at)) throw new Error(`${at}: unlabelled data (@classLabel false) is not supported`);
          classNames = args.slice(1);
          checkClassCount(classNames.length, `${at}: @classLabel lists`);
          classIndex = new Map(classNames.map((c, j) => [c, j]));
          if (classIndex.size !== classNames.length) {
            const dup = classNames.find((c, j) => classNames!.indexOf(c) !== j);
            throw new Error(`${at}: @classLabel lists "${dup}" twice`);
          }
          break;
        case "@data":
          if (!classNames) throw new Error(`${at}: @data before any @classLabel header (class labels are required)`);
          if (univariate === true) {
            if (dims !== undefined && dims !== 1) throw new Error(`${at}: @univariate true but @dimensions ${dims}`);
            dims = 1;
            dimsFrom = dimsFrom || "@univariate true";
          }
          dataLine = i + 1;
          break;
        default:
          throw new Error(`${at}: unknown header ${rawKey} (expected @problemName, @timeStamps, @missing, @univariate, @dimensions, @equalLength, @seriesLength, @classLabel, @targetLabel or @data)`);
      }
      continue;
    }
    if (line.startsWith("@")) throw new Error(`${at}: header ${line.split(/\s+/)[0]} after @data (line ${dataLine})`);
    const fields = line.split(":");
    const channels = fields.length - 1;
    if (channels < 1) throw new Error(`${at}: expected channel values and a class label separated by ":", got no ":"`);
    if (dims === undefined) {
      dims = channels;
      dimsFrom = `line ${i + 1}`;
    }
    if (channels !== dims) throw new Error(`${at}: series has ${channels} channels, ${dimsFrom} says ${dims}`);
    const label = fields[channels].trim();
    const c = classIndex.get(label);
    if (c === undefined) throw new Error(`${at}: unknown class label "${clip(label)}", @classLabel lists ${classNames!.join(" ")}`);
    const values = fields.slice(0, channels).map((field, d) => {
      if (field.trim() === "") throw new Error(`${at}: empty series: channel ${d + 1} has no values`);
      return field.split(",").map((token, t) => {
        const v = parseValue(token);
        if (v === undefined) throw new Error(`${at}: value ${t + 1} of channel ${d + 1} is "${clip(token.trim())}", expected a number or ?`);
        if (overflowsFloat32(v)) throw new Error(`${at}: value ${t + 1} of channel ${d + 1} is ${clip(token.trim())}, too large for a 32-bit float (±3.4e38)`);
        return v;
      });
    });
    const length = values[0].length;
    for (let d = 1; d < channels; d++) {
      if (values[d].length !== length) throw new Error(`${at}: channel ${d + 1} has ${values[d].length} values, channel 1 has ${length}`);
    }
    if (equalLength && seriesLength !== undefined && length !== seriesLength) {
      throw new Error(`${at}: series has ${length} steps, @seriesLength says ${seriesLength}`);
    }
    const s = new Float32Array(length * channels);
    for (let d = 0; d < channels; d++) for (let t = 0; t < length; t++) s[t * channels + d] = values[d][t];
    series.push(s);
    labels.push(c);
  }
  if (dataLine === 0) throw new Error(`${name}:${lastLine(lines)}: reached the end of the file without an @data line`);
  if (series.length === 0) throw new Error(`${name}:${dataLine}: no series after @data`);
  return { name, dims: dims!, series, labels: Uint8Array.from(labels), classes: classNames!.length, classNames: classNames! };
}

/**
 * Parses a UCR-2018 `.tsv` file (univariate; one series per line, tab-separated, label first).
 * `NaN` values are missing; trailing NaNs are padding and shorten the series. Labels map to the
 * positions in `classNames` (default: this file's labels, ordered by ucrTsvClassNames).
 */
export function parseUcrTsv(text: string, name: string, classNames: string[] = ucrTsvClassNames(text)): RealSequences {
  checkClassCount(classNames.length, `${name}: the class list has`);
  const classIndex = new Map(classNames.map((c, j) => [c, j]));
  const lines = splitLines(text);
  const series: Float32Array[] = [];
  const labels: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() === "") continue;
    const at = `${name}:${i + 1}`;
    const fields = lines[i].split("\t");
    if (fields.length < 2) throw new Error(`${at}: expected a class label and values separated by tabs, got no tab`);
    const label = fields[0].trim();
    const c = classIndex.get(label);
    if (c === undefined) throw new Error(`${at}: unknown class label "${clip(label)}", expected one of ${classNames.join(" ")}`);
    const values = new Float32Array(fields.length - 1);
    let length = 0;
    for (let t = 0; t < values.length; t++) {
      const v = parseValue(fields[t + 1]);
      if (v === undefined) throw new Error(`${at}: value ${t + 1} is "${clip(fields[t + 1].trim())}", expected a number or NaN`);
      if (overflowsFloat32(v)) throw new Error(`${at}: value ${t + 1} is ${clip(fields[t + 1].trim())}, too large for a 32-bit float (±3.4e38)`);
      values[t] = v;
      if (!Number.isNaN(v)) length = t + 1;
    }
    if (length === 0) throw new Error(`${at}: empty series: every value is NaN`);
    series.push(values.slice(0, length));
    labels.push(c);
  }
  if (series.length === 0) throw new Error(`${name}:${lastLine(lines)}: no series in the file`);
  return { name, dims: 1, series, labels: Uint8Array.from(labels), classes: classNames.length, classNames };
}

/** The distinct labels (first tab field) of UCR `.tsv` texts: sorted numerically when all are numbers, else lexicographically. */
export function ucrTsvClassNames(...texts: string[]): string[] {
  const names = new Set<string>();
  for (const text of texts) {
    for (const line of splitLines(text)) if (line.trim() !== "") names.add(line.split("\t")[0].trim());
  }
  const sorted = [...names].sort();
  return sorted.every((c) => NUMBER.test(c)) ? sorted.sort((a, b) => Number(a) - Number(b)) : sorted;
}

/** Concatenates two RealSequences with the same channels and class list (e.g. pooled TRAIN + TEST). */
export function poolSequences(a: RealSequences, b: RealSequences, name: string): RealSequences {
  if (a.dims !== b.dims) throw new Error(`${name}: cannot pool ${a.name} (${a.dims} channels) with ${b.name} (${b.dims} channels)`);
  if (a.classNames.length !== b.classNames.length || a.classNames.some((c, j) => c !== b.classNames[j])) {
    throw new Error(`${name}: cannot pool ${a.name} (classes ${a.classNames.join(" ")}) with ${b.name} (classes ${b.classNames.join(" ")})`);
  }
  const labels = new Uint8Array(a.labels.length + b.labels.length);
  labels.set(a.labels);
  labels.set(b.labels, a.labels.length);
  return { name, dims: a.dims, series: [...a.series, ...b.series], labels, classes: a.classes, classNames: [...a.classNames] };
}

/** Lines of `text` without a UTF-8 byte-order mark or CR line ends. */
function splitLines(text: string): string[] {
  return (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split(/\r?\n/);
}

/** The number of the last line (a final line break does not start a new line). */
function lastLine(lines: string[]): number {
  return Math.max(1, lines[lines.length - 1] === "" ? lines.length - 1 : lines.length);
}

/** A value token: a number, or NaN for `?` and `NaN`; undefined if it is neither. */
function parseValue(token: string): number | undefined {
  const s = token.trim();
  if (s === "?" || s.toLowerCase() === "nan") return NaN;
  return NUMBER.test(s) ? Number(s) : undefined;
}

/** The boolean first argument of a header. */
function flag(args: string[], key: string, at: string): boolean {
  const v = (args[0] ?? "").toLowerCase();
  if (v !== "true" && v !== "false") throw new Error(`${at}: expected true or false after ${key}, got "${clip(args.join(" "))}"`);
  return v === "true";
}

/** The positive integer argument of a header. */
function positiveInt(args: string[], key: string, at: string): number {
  const v = Number(args[0]);
  if (args.length !== 1 || !/^\d+$/.test(args[0]) || v < 1) throw new Error(`${at}: expected a positive integer after ${key}, got "${clip(args.join(" "))}"`);
  return v;
}

/** Rejects class counts outside [2, 255] (labels are u8 and a classifier needs two classes). */
function checkClassCount(count: number, prefix: string): void {
  if (count < 2 || count > 255) throw new Error(`${prefix} ${count} class labels, expected 2 to 255`);
}

/** At most 40 characters of `s`, for error messages, with control characters (a lone CR) escaped as in JSON. */
function clip(s: string): string {
  const t = s.length > 40 ? `${s.slice(0, 40)}…` : s;
  return oneLine(t);
}
