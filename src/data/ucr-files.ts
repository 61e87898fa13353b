/** Loading UCR/UEA datasets from disk (Node only): a `<Name>_TRAIN` / `<Name>_TEST` pair in `.ts` or `.tsv` format. */
import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { parseUcrTs, parseUcrTsv, ucrTsvClassNames, type RealSequences } from "./ucr.js";

/**
 * Loads a dataset's train and test splits from a folder `<dir>/<Name>` holding `<Name>_TRAIN.ts` and
 * `<Name>_TEST.ts` (preferred) or the `.tsv` pair, or from the path of one `_TRAIN` file (its `_TEST`
 * sibling is used). `.ts` splits must list the same @classLabel; `.tsv` splits share the sorted union of their labels.
 */
export function loadUcr(path: string): { train: RealSequences; test: RealSequences } {
  const [trainPath, testPath] = splitPaths(path);
  const trainName = basename(trainPath), testName = basename(testPath);
  const trainText = readFileSync(trainPath, "utf8"), testText = readFileSync(testPath, "utf8");
  if (trainPath.endsWith(".tsv")) {
    const classNames = ucrTsvClassNames(trainText, testText);
    return { train: parseUcrTsv(trainText, trainName, classNames), test: parseUcrTsv(testText, testName, classNames) };
  }
  const train = parseUcrTs(trainText, trainName), test = parseUcrTs(testText, testName);
  if (train.classNames.join(" ") !== test.classNames.join(" ")) {
    throw new Error(`${testName}: @classLabel lists ${test.classNames.join(" ")}, ${trainName} lists ${train.classNames.join(" ")}`);
  }
  return { train, test };
}

/** The (train, test) file paths for a dataset folder or a `_TRAIN` file. */
function splitPaths(path: string): [string, string] {
  if (!existsSync(path)) throw new Error(`${path}: no such file or folder`);
  if (statSync(path).isDirectory()) {
    const name = basename(path);
    for (const ext of ["ts", "tsv"]) {
      const pair: [string, string] = [join(path, `${name}_TRAIN.${ext}`), join(path, `${name}_TEST.${ext}`)];
      if (pair.every((p) => existsSync(p))) return pair;
    }
    throw new Error(`${path}: expected ${name}_TRAIN.ts and ${name}_TEST.ts (or ${name}_TRAIN.tsv and ${name}_TEST.tsv) in this folder`);
  }
  const match = /^(.*)_TRAIN\.(tsv|ts)$/.exec(path);
  if (!match) throw new Error(`${path}: expected a dataset folder or a <Name>_TRAIN.ts / <Name>_TRAIN.tsv file`);
  const testPath = `${match[1]}_TEST.${match[2]}`;
  if (!existsSync(testPath)) throw new Error(`${testPath}: missing (the test split of ${basename(path)})`);
  return [path, testPath];
}
